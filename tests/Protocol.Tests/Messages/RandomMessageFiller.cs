using System.Collections;
using System.Reflection;
using Broker.Protocol.Generator;
using Broker.Protocol.Wire;

namespace Broker.Protocol.Tests.Messages;

/// <summary>
/// Fills a generated message with random values for exactly the fields its definition gives at one
/// version, leaving the others at their defaults, so a write/read round trip must reproduce it.
/// </summary>
internal sealed class RandomMessageFiller(Random random, MessageDefinition definition, Type topType)
{
    private readonly Dictionary<string, List<FieldDefinition>> _structs = CollectStructs(definition);

    private static Dictionary<string, List<FieldDefinition>> CollectStructs(MessageDefinition definition)
    {
        var map = definition.CommonStructs.ToDictionary(s => s.Name, s => s.Fields);
        void Walk(List<FieldDefinition> fields)
        {
            foreach (var f in fields)
            {
                if (f.Type.Kind == PrimitiveKind.Struct && f.Fields.Count > 0)
                {
                    map.TryAdd(f.Type.StructName!, f.Fields);
                    Walk(f.Fields);
                }
            }
        }
        Walk(definition.Fields);
        return map;
    }

    public object Create(short version)
    {
        var instance = Activator.CreateInstance(topType)!;
        Fill(instance, definition.Fields, version, depth: 0);
        if (definition.Flexible.Contains(version) && random.Next(3) == 0)
            AddUnknownTags(instance);
        return instance;
    }

    private void AddUnknownTags(object instance)
    {
        // Far above any known tag so that the re-written order matches the read order.
        var list = new List<RawTaggedField> { new(10_000, [1, 2, 3]), new(10_001, []) };
        instance.GetType().GetProperty("UnknownTaggedFields")!.SetValue(instance, list);
    }

    private void Fill(object instance, List<FieldDefinition> fields, short version, int depth)
    {
        var type = instance.GetType();
        foreach (var field in fields)
        {
            if (!field.Versions.Contains(version))
                continue;
            if (field.Tag is not null && field.Tagged.Contains(version) && random.Next(4) == 0)
                continue; // leave some tagged fields at their default: they are then not written
            var property = type.GetProperty(field.Name) ?? type.GetProperty(field.Name + "Value")
                ?? throw new InvalidOperationException($"{type.Name} has no property for {field.Name}");
            property.SetValue(instance, Value(field, property.PropertyType, version, depth));
        }
    }

    private object? Value(FieldDefinition field, Type clrType, short version, int depth)
    {
        var nullable = field.Nullable.Contains(version);
        if (nullable && random.Next(4) == 0)
            return null;
        if (field.Type.IsArray)
        {
            var list = (IList)Activator.CreateInstance(clrType)!;
            var elementType = clrType.GetGenericArguments()[0];
            var count = depth > 3 ? 0 : random.Next(0, 4);
            for (var i = 0; i < count; i++)
                list.Add(Element(field, elementType, version, depth + 1));
            return list;
        }
        return Element(field, Nullable.GetUnderlyingType(clrType) ?? clrType, version, depth + 1);
    }

    private object Element(FieldDefinition field, Type clrType, short version, int depth)
    {
        switch (field.Type.Kind)
        {
            case PrimitiveKind.Bool: return random.Next(2) == 1;
            case PrimitiveKind.Int8: return (sbyte)random.Next(sbyte.MinValue, sbyte.MaxValue + 1);
            case PrimitiveKind.Int16: return (short)random.Next(short.MinValue, short.MaxValue + 1);
            case PrimitiveKind.UInt16: return (ushort)random.Next(0, ushort.MaxValue + 1);
            case PrimitiveKind.Int32: return random.Next(int.MinValue, int.MaxValue);
            case PrimitiveKind.UInt32: return (uint)random.NextInt64(0, uint.MaxValue);
            case PrimitiveKind.Int64: return random.NextInt64(long.MinValue, long.MaxValue);
            case PrimitiveKind.Float64: return random.NextDouble() * 1e6;
            case PrimitiveKind.String: return RandomString();
            case PrimitiveKind.Bytes: return RandomBytes();
            case PrimitiveKind.Records: return new ReadOnlyMemory<byte>(RandomBytes());
            case PrimitiveKind.Uuid: return new Uuid(random.NextInt64(), random.NextInt64());
            default:
                var instance = Activator.CreateInstance(clrType)!;
                Fill(instance, _structs[field.Type.StructName!], version, depth);
                return instance;
        }
    }

    private string RandomString()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz-_.0123456789é✓";
        var length = random.Next(0, 12);
        return string.Create(length, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
                span[i] = alphabet[r.Next(alphabet.Length)];
        });
    }

    private byte[] RandomBytes()
    {
        var bytes = new byte[random.Next(0, 40)];
        random.NextBytes(bytes);
        return bytes;
    }
}
