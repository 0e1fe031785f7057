using System.Buffers.Binary;

namespace Broker.Protocol.Wire;

/// <summary>
/// Kafka's 128-bit UUID (topic ids, directory ids, cluster ids). Kept as two longs like the Java
/// client so that comparisons and hashing are cheap; rendered as URL-safe base64 without padding.
/// </summary>
public readonly record struct Uuid(long MostSignificantBits, long LeastSignificantBits)
{
    public static readonly Uuid Zero = new(0, 0);

    /// <summary>Kafka reserves the id 0…01 for the metadata topic.</summary>
    public static readonly Uuid MetadataTopicId = new(0, 1);

    public bool IsZero => MostSignificantBits == 0 && LeastSignificantBits == 0;

    public static Uuid Random()
    {
        Span<byte> bytes = stackalloc byte[16];
        while (true)
        {
            System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
            var id = Read(bytes);
            // Ids rendering with a leading '-' confuse command-line tools; zero and one are reserved.
            if (!id.IsZero && id != MetadataTopicId && !id.ToString().StartsWith('-'))
                return id;
        }
    }

    public static Uuid Read(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadInt64BigEndian(source), BinaryPrimitives.ReadInt64BigEndian(source[8..]));

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, MostSignificantBits);
        BinaryPrimitives.WriteInt64BigEndian(destination[8..], LeastSignificantBits);
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[16];
        Write(bytes);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static Uuid Parse(string text)
    {
        if (!TryParse(text, out var id))
            throw new FormatException($"'{text}' is not a base64 UUID of 16 bytes.");
        return id;
    }

    public static bool TryParse(string? text, out Uuid id)
    {
        id = Zero;
        if (text is null || text.Length != 22)
            return false;
        var base64 = text.Replace('-', '+').Replace('_', '/') + "==";
        Span<byte> bytes = stackalloc byte[18];
        if (!Convert.TryFromBase64String(base64, bytes, out var written) || written != 16)
            return false;
        id = Read(bytes);
        return true;
    }
}
