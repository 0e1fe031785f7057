using System.Collections.Generic;

namespace Broker.Protocol.Generator;

/// <summary>What kind of file a definition came from; decides registries and header rules.</summary>
public enum DefinitionKind { Request, Response, Header, Data, Metadata }

public enum PrimitiveKind { Bool, Int8, Int16, UInt16, Int32, UInt32, Int64, Float64, String, Bytes, Records, Uuid, Struct }

/// <summary>A field's wire type: a primitive, a struct, or an array of either.</summary>
public sealed class FieldType
{
    public FieldType(PrimitiveKind kind, bool isArray, string? structName)
    {
        Kind = kind;
        IsArray = isArray;
        StructName = structName;
    }

    public PrimitiveKind Kind { get; }
    public bool IsArray { get; }
    public string? StructName { get; }

    public static FieldType Parse(string text)
    {
        var isArray = text.StartsWith("[]");
        var element = isArray ? text.Substring(2) : text;
        switch (element)
        {
            case "bool": return new FieldType(PrimitiveKind.Bool, isArray, null);
            case "int8": return new FieldType(PrimitiveKind.Int8, isArray, null);
            case "int16": return new FieldType(PrimitiveKind.Int16, isArray, null);
            case "uint16": return new FieldType(PrimitiveKind.UInt16, isArray, null);
            case "int32": return new FieldType(PrimitiveKind.Int32, isArray, null);
            case "uint32": return new FieldType(PrimitiveKind.UInt32, isArray, null);
            case "int64": return new FieldType(PrimitiveKind.Int64, isArray, null);
            case "float64": return new FieldType(PrimitiveKind.Float64, isArray, null);
            case "string": return new FieldType(PrimitiveKind.String, isArray, null);
            case "bytes": return new FieldType(PrimitiveKind.Bytes, isArray, null);
            case "records": return new FieldType(PrimitiveKind.Records, isArray, null);
            case "uuid": return new FieldType(PrimitiveKind.Uuid, isArray, null);
            default: return new FieldType(PrimitiveKind.Struct, isArray, element);
        }
    }
}

public sealed class FieldDefinition
{
    public string Name { get; set; } = "";
    public FieldType Type { get; set; } = FieldType.Parse("int32");
    public VersionRange Versions { get; set; } = VersionRange.All;
    public VersionRange Nullable { get; set; } = VersionRange.None;
    public int? Tag { get; set; }
    public VersionRange Tagged { get; set; } = VersionRange.None;
    /// <summary>Per-field override of flexible encoding (the request header's client id is never compact).</summary>
    public VersionRange? Flexible { get; set; }
    public bool MapKey { get; set; }
    public string? Default { get; set; }
    /// <summary>Inline struct fields, when the type is a struct defined right here.</summary>
    public List<FieldDefinition> Fields { get; } = new List<FieldDefinition>();
    public int Line { get; set; }
}

public sealed class StructDefinition
{
    public StructDefinition(string name, List<FieldDefinition> fields)
    {
        Name = name;
        Fields = fields;
    }

    public string Name { get; }
    public List<FieldDefinition> Fields { get; }
}

public sealed class MessageDefinition
{
    public DefinitionKind Kind { get; set; }
    public string Name { get; set; } = "";
    public short? ApiKey { get; set; }
    public VersionRange Versions { get; set; }
    public VersionRange Flexible { get; set; } = VersionRange.None;
    public List<FieldDefinition> Fields { get; } = new List<FieldDefinition>();
    public List<StructDefinition> CommonStructs { get; } = new List<StructDefinition>();
    public string Folder { get; set; } = "";
}
