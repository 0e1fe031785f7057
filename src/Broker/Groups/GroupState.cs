namespace Broker.Groups;

/// <summary>The states of a classic group, named as DescribeGroups and ListGroups report them.</summary>
public enum GroupState
{
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}
