using System.Buffers.Binary;
using Broker.Raft.Core;

namespace Broker.Raft.Tests.Simulation;

/// <summary>The replicated state: how many records were applied and a hash chain over them.</summary>
public sealed class SimStateMachine
{
    public long Applied { get; private set; }
    public ulong Chain { get; private set; }

    public static ulong Identity(int epoch, byte[] payload)
    {
        var h = 14695981039346656037UL ^ (ulong)epoch;
        foreach (var b in payload) h = (h ^ b) * 1099511628211UL;
        return h;
    }

    public static ulong Extend(ulong chain, ulong identity) => (chain ^ identity) * 0x9E3779B97F4A7C15UL + 1;

    public byte[] Snapshot()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, Applied);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8), Chain);
        return bytes;
    }

    public void Load(SnapshotId id, byte[] data)
    {
        Applied = BinaryPrimitives.ReadInt64BigEndian(data);
        Chain = BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(8));
        if (Applied != id.EndOffset) throw new SimulationFailure($"snapshot {id} holds state at {Applied}");
    }

    public void Apply(long offset, ulong identity)
    {
        if (offset != Applied) throw new SimulationFailure($"applied offset {offset} but expected {Applied}");
        Chain = Extend(Chain, identity);
        Applied++;
    }
}

public sealed class SimulationFailure(string message) : Exception(message);
