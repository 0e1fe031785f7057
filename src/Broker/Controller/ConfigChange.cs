using Broker.Metadata;

namespace Broker.Controller;

/// <summary>One override of one config resource to set (a value) or remove (null), as a ConfigRecord carries it.</summary>
public sealed record ConfigChange(ConfigResourceType Type, string Resource, string Name, string? Value);
