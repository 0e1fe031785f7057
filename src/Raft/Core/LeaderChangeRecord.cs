using System.Buffers.Binary;

namespace Broker.Raft.Core;

/// <summary>
/// The payload of the LeaderChange control record in the core's log: the leader, the voters and
/// those that granted it. The storage adapter turns it into Kafka's LeaderChangeMessage.
/// </summary>
public sealed record LeaderChangeRecord(int LeaderId, IReadOnlyList<int> Voters, IReadOnlyList<int> GrantingVoters)
{
    public byte[] Encode()
    {
        var bytes = new byte[4 * (3 + Voters.Count + GrantingVoters.Count)];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt32BigEndian(span, LeaderId);
        var at = WriteList(span, 4, Voters);
        WriteList(span, at, GrantingVoters);
        return bytes;
    }

    public static LeaderChangeRecord Decode(ReadOnlySpan<byte> bytes)
    {
        var leader = BinaryPrimitives.ReadInt32BigEndian(bytes);
        var (voters, at) = ReadList(bytes, 4);
        var (granting, _) = ReadList(bytes, at);
        return new LeaderChangeRecord(leader, voters, granting);
    }

    private static int WriteList(Span<byte> span, int at, IReadOnlyList<int> ids)
    {
        BinaryPrimitives.WriteInt32BigEndian(span[at..], ids.Count);
        at += 4;
        foreach (var id in ids)
        {
            BinaryPrimitives.WriteInt32BigEndian(span[at..], id);
            at += 4;
        }
        return at;
    }

    private static (int[] Ids, int Next) ReadList(ReadOnlySpan<byte> bytes, int at)
    {
        var ids = new int[BinaryPrimitives.ReadInt32BigEndian(bytes[at..])];
        at += 4;
        for (var i = 0; i < ids.Length; i++, at += 4)
            ids[i] = BinaryPrimitives.ReadInt32BigEndian(bytes[at..]);
        return (ids, at);
    }
}
