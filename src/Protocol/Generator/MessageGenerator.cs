using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Broker.Protocol.Generator;

/// <summary>
/// Incremental generator: every AdditionalFiles item ending in .def becomes a C# class; the set of
/// them becomes the API and metadata-record registries. A bad definition is a compile error that
/// names the file and line.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class MessageGenerator : IIncrementalGenerator
{
    private static readonly DiagnosticDescriptor BadDefinition = new DiagnosticDescriptor(
        "KPG001", "Invalid message definition", "{0}: {1}", "MessageGenerator", DiagnosticSeverity.Error, true);

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var parsed = context.AdditionalTextsProvider
            .Where(file => file.Path.EndsWith(".def", StringComparison.Ordinal))
            .Select((file, cancel) => Parse(file, cancel));

        context.RegisterSourceOutput(parsed, (output, item) =>
        {
            if (item.Error != null)
            {
                output.ReportDiagnostic(Diagnostic.Create(BadDefinition, Location.None, item.Path, item.Error));
                return;
            }
            try
            {
                var source = new MessageEmitter(item.Message!, item.Namespace).Emit();
                output.AddSource(item.Message!.Name + ".g.cs", SourceText.From(source, Encoding.UTF8));
            }
            catch (DefinitionException e)
            {
                output.ReportDiagnostic(Diagnostic.Create(BadDefinition, Location.None, item.Path, e.Message));
            }
        });

        context.RegisterSourceOutput(parsed.Collect(), (output, items) =>
        {
            var good = items.Where(i => i.Error == null).Select(i => (i.Message!, i.Namespace)).ToList();
            if (good.Count == 0)
                return;
            output.AddSource("ApiMessages.g.cs", SourceText.From(RegistryEmitter.Emit(good), Encoding.UTF8));
        });
    }

    private static ParsedDefinition Parse(AdditionalText file, System.Threading.CancellationToken cancel)
    {
        var folder = Path.GetFileName(Path.GetDirectoryName(file.Path)) ?? "";
        try
        {
            var text = file.GetText(cancel)?.ToString() ?? "";
            var message = DefinitionParser.Parse(text, folder);
            return new ParsedDefinition(file.Path, message, DefinitionNamespaces.For(folder), null);
        }
        catch (DefinitionException e)
        {
            return new ParsedDefinition(file.Path, null, "", e.Message);
        }
    }

    private sealed class ParsedDefinition : IEquatable<ParsedDefinition>
    {
        public ParsedDefinition(string path, MessageDefinition? message, string ns, string? error)
        {
            Path = path;
            Message = message;
            Namespace = ns;
            Error = error;
        }

        public string Path { get; }
        public MessageDefinition? Message { get; }
        public string Namespace { get; }
        public string? Error { get; }

        // Parsing is cheap; equality by path keeps the incremental pipeline simple and correct
        // because a changed file produces a new AdditionalText and re-runs Parse anyway.
        public bool Equals(ParsedDefinition? other) => ReferenceEquals(this, other);
        public override bool Equals(object? obj) => ReferenceEquals(this, obj);
        public override int GetHashCode() => Path.GetHashCode();
    }
}
