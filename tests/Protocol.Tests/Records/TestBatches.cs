using Broker.Protocol.Records;

namespace Broker.Protocol.Tests.Records;

internal static class TestBatches
{
    public static byte[] Build(CompressionType compression, Action<RecordBatchBuilder> fill)
    {
        using var builder = new RecordBatchBuilder(compression);
        fill(builder);
        using var batch = builder.Build();
        return batch.WrittenSpan.ToArray();
    }

    /// <summary>Three small uncompressed records at offsets 0..2.</summary>
    public static byte[] Simple(long baseOffset = 0) => Build(CompressionType.None, b =>
    {
        b.BaseOffset = baseOffset;
        b.Append(1000, "k0"u8, "v0"u8);
        b.Append(1001, "k1"u8, "v1"u8);
        b.Append(1002, "k2"u8, "v2"u8);
    });

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
