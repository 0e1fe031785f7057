using System.Buffers.Binary;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;

namespace Broker.Broker.Tests.Fuzz;

/// <summary>
/// Turns a seed request into a hostile one, deterministically for a given <see cref="Random"/>:
/// header api keys and versions, int fields set to edge values (which hits lengths and counts),
/// varints too long or too large, truncation, extension, splices of other seeds; produce requests
/// also get their record batches mutated by <see cref="BatchMutator"/> and re-encoded.
/// </summary>
/// <param name="excluded">API keys never sent: a mutated key landing on one becomes an unknown key instead.</param>
public sealed class FrameMutator(IReadOnlyList<Seed> seeds, IReadOnlyList<short> servedKeys, IReadOnlySet<short> excluded)
{
    private static readonly short[] UnknownKeys = [short.MaxValue, -1, short.MinValue, 9999, 100, 67];

    /// <summary>The payload (no size prefix) of the next mutated request.</summary>
    public byte[] Next(Random random)
    {
        var seed = seeds[random.Next(seeds.Count)];
        var payload = seed.ApiKey == (short)ApiKey.Produce && random.Next(2) == 0
            ? MutateProduce(seed, random) ?? (byte[])seed.Payload.Clone()
            : (byte[])seed.Payload.Clone();
        // Some frames keep a valid structure (a produce with a mutated batch, a seed as is): the
        // broker must also take the well-formed but odd ones.
        var operations = random.Next(4);
        for (var i = 0; i < operations; i++)
            payload = MutateOnce(payload, random);
        if (payload.Length >= 2 && excluded.Contains(BinaryPrimitives.ReadInt16BigEndian(payload)))
            BinaryPrimitives.WriteInt16BigEndian(payload, UnknownKeys[random.Next(UnknownKeys.Length)]);
        return payload;
    }

    private byte[] MutateOnce(byte[] payload, Random random)
    {
        switch (random.Next(8))
        {
            case 0 when payload.Length >= 4:
                var key = random.Next(4) == 0 ? UnknownKeys[random.Next(UnknownKeys.Length)] : servedKeys[random.Next(servedKeys.Count)];
                BinaryPrimitives.WriteInt16BigEndian(payload, key);
                return payload;
            case 1 when payload.Length >= 4:
                var version = BinaryPrimitives.ReadInt16BigEndian(payload.AsSpan(2));
                BinaryPrimitives.WriteInt16BigEndian(payload.AsSpan(2), (short)(random.Next(3) switch { 0 => version + 1, 1 => version - 1, _ => random.Next(-2, 20) }));
                return payload;
            case 2:
                var other = seeds[random.Next(seeds.Count)].Payload;
                var from = random.Next(other.Length);
                var at = random.Next(payload.Length + 1);
                var length = random.Next(Math.Min(64, other.Length - from) + 1);
                return [.. payload.AsSpan(0, at), .. other.AsSpan(from, length), .. payload.AsSpan(at)];
            default:
                return Bytes(payload, random);
        }
    }

    /// <summary>Decodes a produce seed, mutates each batch, re-encodes at the same version; null when the seed does not decode.</summary>
    private static byte[]? MutateProduce(Seed seed, Random random)
    {
        var api = ApiMessages.All.First(a => a.Key == ApiKey.Produce);
        var reader = new KafkaReader(seed.Payload);
        var header = new RequestHeader();
        ProduceRequest request;
        try
        {
            header.Read(ref reader, api.RequestHeaderVersion(seed.Version));
            request = (ProduceRequest)api.NewRequest();
            request.Read(ref reader, seed.Version);
        }
        catch (ProtocolException)
        {
            return null;
        }
        foreach (var partition in request.TopicData.SelectMany(t => t.PartitionData))
        {
            if (partition.Records is { } records)
                partition.Records = BatchMutator.Mutate(records.ToArray(), random);
        }
        using var output = new PooledBufferWriter(256);
        var writer = new KafkaWriter(output);
        header.Write(writer, api.RequestHeaderVersion(seed.Version));
        request.Write(writer, seed.Version);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Byte-level damage aimed at the shapes Kafka encodings are made of.</summary>
    public static byte[] Bytes(byte[] payload, Random random)
    {
        if (payload.Length == 0)
            return [(byte)random.Next(256)];
        var at = random.Next(payload.Length);
        switch (random.Next(8))
        {
            case 0:
                payload[at] ^= (byte)(1 << random.Next(8));
                return payload;
            case 1 when at + 2 <= payload.Length:
                BinaryPrimitives.WriteInt16BigEndian(payload.AsSpan(at), (short)InterestingInt(random, payload.Length - at));
                return payload;
            case 2 when at + 4 <= payload.Length:
                // Int32 lengths and counts.
                BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(at), InterestingInt(random, payload.Length - at));
                return payload;
            case 3:
                // Compact lengths and counts are unsigned varints: too long, too large, or zero (null).
                byte[] varint = random.Next(4) switch
                {
                    0 => [0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
                    1 => [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
                    2 => [0x00],
                    _ => [(byte)(0x80 | random.Next(128)), (byte)random.Next(1, 128)],
                };
                return [.. payload.AsSpan(0, at), .. varint, .. payload.AsSpan(Math.Min(payload.Length, at + random.Next(1, 3)))];
            case 4:
                return payload[..at];
            case 5:
                var extra = new byte[random.Next(1, 32)];
                random.NextBytes(extra);
                return [.. payload, .. extra];
            case 6:
                var length = random.Next(1, Math.Min(16, payload.Length - at) + 1);
                return [.. payload.AsSpan(0, at), .. payload.AsSpan(at + length)];
            default:
                payload[at] = (byte)random.Next(256);
                return payload;
        }
    }

    public static int InterestingInt(Random random, int plausible) => random.Next(10) switch
    {
        0 => 0,
        1 => -1,
        2 => int.MaxValue,
        3 => int.MinValue,
        4 => plausible + 1,
        5 => plausible - 1,
        6 => short.MaxValue,
        7 => ushort.MaxValue,
        8 => 1 << 20,
        _ => random.Next(),
    };

    public static long InterestingLong(Random random) => random.Next(5) switch
    {
        0 => 0,
        1 => -1,
        2 => long.MaxValue,
        3 => long.MinValue,
        _ => random.NextInt64(),
    };
}
