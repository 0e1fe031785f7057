using Broker.Metadata;

namespace Broker.Controller;

/// <summary>
/// A partition reassignment (KIP-455) as changes of one partition's state. While it runs, the
/// replicas are the target followed by the replicas that leave, <c>AddingReplicas</c> are the
/// target's new members and <c>RemovingReplicas</c> the old ones that go; it completes once every
/// target replica is in the ISR, which normally happens when the leader's AlterPartition adds the
/// last new replica.
/// </summary>
public static class Reassignment
{
    /// <summary>Starts moving <paramref name="p"/> to <paramref name="target"/>, completing at once when the target is already in sync.</summary>
    public static PartitionImage Start(PartitionImage p, IReadOnlyList<int> target, Func<int, bool> usable)
    {
        var removing = p.Replicas.Except(target).Order().ToList();
        var adding = target.Except(p.Replicas).Order().ToList();
        var next = p with { Replicas = [.. target, .. removing], AddingReplicas = adding, RemovingReplicas = removing };
        return CompleteIfInSync(next, usable) ?? next;
    }

    /// <summary>
    /// The partition after its reassignment, when every target replica is in the ISR: the removed
    /// replicas leave the replicas and the ISR, and a leader that was removed hands over to the
    /// first in-sync target replica. Null while there is nothing to complete.
    /// </summary>
    public static PartitionImage? CompleteIfInSync(PartitionImage p, Func<int, bool> usable)
    {
        if (!p.IsReassigning)
            return null;
        var target = p.TargetReplicas.ToList();
        var isr = p.Isr.Where(r => !p.RemovingReplicas.Contains(r)).ToList();
        if (target.Count == 0 || isr.Count == 0 || !target.All(isr.Contains))
            return null;
        var done = p with { Replicas = target, Isr = isr, AddingReplicas = [], RemovingReplicas = [] };
        if (target.Contains(p.Leader))
            return done;
        return PartitionLeadership.Elect(done, isr, usable, unclean: false) ?? done with { Leader = -1 };
    }

    /// <summary>Cancels a reassignment: back to the original replicas; the adding ones leave the ISR and cannot stay leader.</summary>
    public static PartitionImage Revert(PartitionImage p, Func<int, bool> usable)
    {
        var original = p.Replicas.Except(p.AddingReplicas).ToList();
        var isr = p.Isr.Where(original.Contains).ToList();
        var next = p with { Replicas = original, Isr = isr.Count > 0 ? isr : [original[0]], AddingReplicas = [], RemovingReplicas = [] };
        if (isr.Contains(p.Leader))
            return next;
        return PartitionLeadership.Elect(next, isr, usable, unclean: false) ?? next with { Leader = -1 };
    }

    /// <summary>True when the change takes replicas away: the leader epoch then starts anew, fencing their fetches.</summary>
    public static bool RemovesReplicas(PartitionImage before, PartitionImage after) => !before.Replicas.All(after.Replicas.Contains);
}
