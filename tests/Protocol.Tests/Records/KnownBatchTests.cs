using Broker.Protocol.Records;

namespace Broker.Protocol.Tests.Records;

/// <summary>
/// A batch assembled by hand from the record batch v2 layout, byte by byte. Round trips alone
/// would pass with a builder and reader that agree on a wrong format; this pins the format itself.
/// </summary>
public class KnownBatchTests
{
    private static readonly byte[] Expected = Convert.FromHexString(
        "0000000000000000" + // base offset
        "00000046" + // batch length: 82 - 12
        "FFFFFFFF" + // partition leader epoch
        "02" + // magic
        "A039C9F9" + // CRC32C of everything below
        "0000" + // attributes
        "00000001" + // last offset delta
        "00000000000003E8" + // base timestamp 1000
        "00000000000003ED" + // max timestamp 1005
        "FFFFFFFFFFFFFFFF" + // producer id
        "FFFF" + // producer epoch
        "FFFFFFFF" + // base sequence
        "00000002" + // records
        // length 8, attrs, ts delta 0, offset delta 0, key "k", value "v", 0 headers
        "10" + "00" + "00" + "00" + "026B" + "0276" + "00" +
        // length 11, attrs, ts delta 5, offset delta 1, null key, value "v", 1 header h=x
        "16" + "00" + "0A" + "02" + "01" + "0276" + "02" + "0268" + "0278");

    [Fact]
    public void Builder_writes_exactly_the_hand_made_bytes()
    {
        var built = TestBatches.Build(CompressionType.None, b =>
        {
            b.Append(1000, "k"u8, "v"u8);
            b.Append(1005, null, "v"u8, [new RecordHeaderEntry("h", "x"u8.ToArray())]);
        });

        Assert.Equal(Convert.ToHexString(Expected), Convert.ToHexString(built));
    }

    [Fact]
    public void Hand_made_bytes_validate_and_iterate()
    {
        Assert.Equal(Expected.Length, RecordBatchValidator.Validate(Expected));
        Assert.Equal(
            [new RecordSnapshot(0, 1000, "6B", "76", ""), new RecordSnapshot(1, 1005, null, "76", "h=78;")],
            RecordSnapshot.ReadAll(Expected));
    }
}
