namespace Broker.Log;

/// <summary>
/// <c>partition.metadata</c>: <c>version: 0</c> and <c>topic_id: &lt;id&gt;</c>, the id written as
/// Kafka prints a Uuid (URL-safe base64 of its 16 big-endian bytes, no padding). It lets a broker
/// tell a recreated topic of the same name from the one the directory belonged to.
/// </summary>
public static class PartitionMetadataFile
{
    public static string PathIn(string partitionDirectory) => Path.Combine(partitionDirectory, LogFileNames.PartitionMetadata);

    public static void Write(string partitionDirectory, Guid topicId) =>
        CheckpointText.WriteAtomically(PathIn(partitionDirectory), $"version: 0\ntopic_id: {ToKafkaString(topicId)}\n");

    /// <summary>The topic id, or null when the file is absent.</summary>
    public static Guid? Read(string partitionDirectory)
    {
        var path = PathIn(partitionDirectory);
        if (!File.Exists(path))
            return null;
        string? version = null, topicId = null;
        foreach (var line in File.ReadAllLines(path))
        {
            var colon = line.IndexOf(':');
            if (colon < 0)
                continue;
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (key == "version")
                version = value;
            else if (key == "topic_id")
                topicId = value;
        }
        if (version != "0")
            throw new CorruptLogFileException(path, $"unrecognised version '{version}'.");
        if (topicId is null || !TryParseKafkaString(topicId, out var id))
            throw new CorruptLogFileException(path, $"bad topic_id '{topicId}'.");
        return id;
    }

    public static string ToKafkaString(Guid id) =>
        Convert.ToBase64String(id.ToByteArray(bigEndian: true)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryParseKafkaString(string text, out Guid id)
    {
        id = Guid.Empty;
        if (text.Length != 22)
            return false;
        Span<byte> bytes = stackalloc byte[16];
        var base64 = text.Replace('-', '+').Replace('_', '/') + "==";
        if (!Convert.TryFromBase64String(base64, bytes, out var written) || written != 16)
            return false;
        id = new Guid(bytes, bigEndian: true);
        return true;
    }
}
