using Broker.Protocol.Generator;

namespace Broker.Protocol.Tests.Messages;

/// <summary>The project's .def files, parsed once, with the CLR type generated for each.</summary>
internal static class Definitions
{
    private static readonly Lazy<IReadOnlyList<(MessageDefinition Definition, Type Type)>> LoadedAll = new(Load);

    public static IReadOnlyList<(MessageDefinition Definition, Type Type)> All => LoadedAll.Value;

    public static string Directory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "src", "Protocol", "Definitions");
                if (System.IO.Directory.Exists(candidate))
                    return candidate;
            }
            throw new DirectoryNotFoundException("src/Protocol/Definitions not found above the test assembly.");
        }
    }

    private static IReadOnlyList<(MessageDefinition, Type)> Load()
    {
        var assembly = typeof(ApiMessages).Assembly;
        var result = new List<(MessageDefinition, Type)>();
        foreach (var file in System.IO.Directory.GetFiles(Directory, "*.def", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var folder = Path.GetFileName(Path.GetDirectoryName(file))!;
            var definition = DefinitionParser.Parse(File.ReadAllText(file), folder);
            var typeName = DefinitionNamespaces.For(folder) + "." + definition.Name;
            var type = assembly.GetType(typeName) ?? throw new InvalidOperationException($"No generated type {typeName}.");
            result.Add((definition, type));
        }
        return result;
    }

    public static (MessageDefinition Definition, Type Type) Find(string name) => All.Single(d => d.Definition.Name == name);
}
