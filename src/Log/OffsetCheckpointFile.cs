using System.Globalization;

namespace Broker.Log;

/// <summary>
/// A log directory's per-partition offset checkpoint (<c>recovery-point-offset-checkpoint</c>,
/// <c>log-start-offset-checkpoint</c>, <c>replication-offset-checkpoint</c>): lines of
/// <c>topic partition offset</c> after the version and count.
/// </summary>
public static class OffsetCheckpointFile
{
    public static Dictionary<TopicPartition, long> Read(string path)
    {
        var offsets = new Dictionary<TopicPartition, long>();
        foreach (var fields in CheckpointText.Read(path, 3))
        {
            var partition = (int)CheckpointText.ParseLong(path, fields[1]);
            offsets[new TopicPartition(fields[0], partition)] = CheckpointText.ParseLong(path, fields[2]);
        }
        return offsets;
    }

    public static void Write(string path, IEnumerable<KeyValuePair<TopicPartition, long>> offsets) =>
        CheckpointText.Write(path, offsets
            .Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Key.Topic} {o.Key.Partition} {o.Value}"))
            .ToList());
}
