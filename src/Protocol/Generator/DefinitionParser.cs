using System;
using System.Collections.Generic;

namespace Broker.Protocol.Generator;

/// <summary>
/// Reads the project's .def format: a header line, then one field a line, nested by two-space
/// indentation; "struct" lines at the left margin open shared structs. '#' starts a comment line.
/// </summary>
public static class DefinitionParser
{
    public static MessageDefinition Parse(string text, string folder)
    {
        var message = new MessageDefinition { Folder = folder };
        // Stack of field lists by depth: depth 1 is the message's own fields.
        var scopes = new List<List<FieldDefinition>>();
        var lines = text.Replace("\r", "").Split('\n');
        var headerSeen = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var raw = lines[i];
            var trimmed = raw.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith("#"))
                continue;
            var depth = (raw.Length - raw.TrimStart(' ').Length) / 2;
            var tokens = trimmed.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
            try
            {
                if (!headerSeen)
                {
                    ParseHeader(message, tokens);
                    headerSeen = true;
                    scopes.Clear();
                    scopes.Add(message.Fields);
                    continue;
                }
                if (depth == 0 && tokens[0] == "struct")
                {
                    var fields = new List<FieldDefinition>();
                    message.CommonStructs.Add(new StructDefinition(tokens[1], fields));
                    scopes.Clear();
                    scopes.Add(fields);
                    continue;
                }
                if (depth < 1 || depth > scopes.Count)
                    throw new FormatException($"unexpected indentation (depth {depth})");
                scopes.RemoveRange(depth, scopes.Count - depth);
                var field = ParseField(tokens, trimmed);
                field.Line = i + 1;
                scopes[depth - 1].Add(field);
                scopes.Add(field.Fields);
            }
            catch (Exception e) when (!(e is DefinitionException))
            {
                throw new DefinitionException($"line {i + 1}: {e.Message}");
            }
        }
        if (!headerSeen)
            throw new DefinitionException("no header line");
        return message;
    }

    private static void ParseHeader(MessageDefinition message, string[] tokens)
    {
        switch (tokens[0])
        {
            case "request": message.Kind = DefinitionKind.Request; break;
            case "response": message.Kind = DefinitionKind.Response; break;
            case "header": message.Kind = DefinitionKind.Header; break;
            case "data": message.Kind = DefinitionKind.Data; break;
            case "metadata": message.Kind = DefinitionKind.Metadata; break;
            default: throw new FormatException($"unknown kind '{tokens[0]}'");
        }
        message.Name = tokens[1];
        for (var t = 2; t < tokens.Length; t++)
        {
            var (key, value) = Split(tokens[t]);
            switch (key)
            {
                case "apiKey": message.ApiKey = short.Parse(value); break;
                case "versions": message.Versions = VersionRange.Parse(value); break;
                case "flexible": message.Flexible = VersionRange.Parse(value); break;
                default: throw new FormatException($"unknown attribute '{key}'");
            }
        }
    }

    private static FieldDefinition ParseField(string[] tokens, string line)
    {
        var field = new FieldDefinition { Name = tokens[0], Type = FieldType.Parse(tokens[1]) };
        for (var t = 2; t < tokens.Length; t++)
        {
            var (key, value) = Split(tokens[t]);
            switch (key)
            {
                case "versions": field.Versions = VersionRange.Parse(value); break;
                case "nullable": field.Nullable = VersionRange.Parse(value); break;
                case "tag": field.Tag = int.Parse(value); break;
                case "tagged": field.Tagged = VersionRange.Parse(value); break;
                case "flexible": field.Flexible = VersionRange.Parse(value); break;
                case "mapKey": field.MapKey = true; break;
                case "default":
                    // A quoted default may hold spaces: take the rest of the line from its opening quote.
                    if (value.StartsWith("\""))
                    {
                        var start = line.IndexOf("default=\"", StringComparison.Ordinal) + "default=".Length;
                        field.Default = line.Substring(start);
                        t = tokens.Length;
                    }
                    else field.Default = value;
                    break;
                default: throw new FormatException($"unknown attribute '{key}'");
            }
        }
        return field;
    }

    private static (string Key, string Value) Split(string token)
    {
        var eq = token.IndexOf('=');
        return eq < 0 ? (token, "") : (token.Substring(0, eq), token.Substring(eq + 1));
    }
}

public sealed class DefinitionException : Exception
{
    public DefinitionException(string message) : base(message) { }
}
