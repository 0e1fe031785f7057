using System.Collections;
using System.Reflection;
using Broker.Protocol.Wire;

namespace Broker.Broker.Tests.Fuzz;

/// <summary>
/// Gives a generated request message one of everything: each list one element, each string a
/// name, each records field a real batch. Default-constructed messages have empty lists, and a
/// mutator finds little structure to work on in those.
/// </summary>
public static class RequestFiller
{
    private const int MaxDepth = 6;

    public static T Fill<T>(T message, string name, byte[] records) where T : notnull
    {
        FillObject(message, name, records, 0);
        return message;
    }

    private static void FillObject(object target, string name, byte[] records, int depth)
    {
        foreach (var property in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanWrite || property.Name == "UnknownTaggedFields")
                continue;
            var value = ValueFor(property.PropertyType, property.Name, property.GetValue(target), name, records, depth);
            if (value is not null)
                property.SetValue(target, value);
        }
    }

    private static object? ValueFor(Type type, string property, object? current, string name, byte[] records, int depth)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string))
            return property.Contains("Group", StringComparison.Ordinal) ? "fuzz-group" : name;
        if (underlying == typeof(byte[]))
            return "fuzz"u8.ToArray();
        if (underlying == typeof(ReadOnlyMemory<byte>))
            return new ReadOnlyMemory<byte>(records);
        if (underlying == typeof(Uuid))
            return current;
        if (underlying.IsPrimitive)
            return current; // the generated defaults (-1 ids, 0 counts) are what clients send
        if (depth >= MaxDepth)
            return current;
        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(List<>))
        {
            var element = underlying.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(underlying)!;
            var item = element.IsClass && element != typeof(string) && element != typeof(byte[])
                ? NewFilled(element, name, records, depth + 1)
                : ValueFor(element, property, null, name, records, depth + 1);
            if (item is not null)
                list.Add(item);
            return list;
        }
        if (underlying.IsClass && underlying.GetConstructor(Type.EmptyTypes) is not null)
            return NewFilled(underlying, name, records, depth + 1);
        return current;
    }

    private static object NewFilled(Type type, string name, byte[] records, int depth)
    {
        var instance = Activator.CreateInstance(type)!;
        FillObject(instance, name, records, depth);
        return instance;
    }
}
