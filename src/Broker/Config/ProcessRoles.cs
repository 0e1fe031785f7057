namespace Broker.Config;

/// <summary>The KRaft roles of <c>process.roles</c>; a combined node has both.</summary>
[Flags]
public enum ProcessRoles
{
    None = 0,
    Broker = 1,
    Controller = 2,
}
