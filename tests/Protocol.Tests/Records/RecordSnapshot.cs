using System.Text;
using Broker.Protocol.Records;
using Record = Broker.Protocol.Records.Record;

namespace Broker.Protocol.Tests.Records;

/// <summary>A record copied out of its batch into comparable values (hex for bytes, null kept).</summary>
internal sealed record RecordSnapshot(long Offset, long Timestamp, string? Key, string? Value, string Headers)
{
    public static RecordSnapshot Of(in Record record)
    {
        var headers = new StringBuilder();
        foreach (var header in record.Headers)
            headers.Append(Encoding.UTF8.GetString(header.Key)).Append('=').Append(header.HasValue ? Convert.ToHexString(header.Value) : "null").Append(';');
        return new RecordSnapshot(
            record.Offset, record.Timestamp,
            record.HasKey ? Convert.ToHexString(record.Key) : null,
            record.HasValue ? Convert.ToHexString(record.Value) : null,
            headers.ToString());
    }

    public static List<RecordSnapshot> ReadAll(ReadOnlySpan<byte> batch, int maxDecompressedSize = 256 << 20)
    {
        var records = new List<RecordSnapshot>();
        foreach (var record in new RecordIterator(batch, maxDecompressedSize))
            records.Add(Of(record));
        return records;
    }

    public static string? Hex(byte[]? bytes) => bytes is null ? null : Convert.ToHexString(bytes);

    public static string HeadersOf(RecordHeaderEntry[] headers) =>
        string.Concat(headers.Select(h => $"{h.Key}={(h.Value is null ? "null" : Convert.ToHexString(h.Value))};"));
}
