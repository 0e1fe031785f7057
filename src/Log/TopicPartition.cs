using System.Globalization;

namespace Broker.Log;

/// <summary>A partition's identity; <see cref="ToString"/> is also its directory name, <c>topic-N</c>.</summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Topic}-{Partition}");

    /// <summary>
    /// Parses a partition directory name. Topic names may contain '-', so the partition is whatever
    /// follows the last one; names such as <c>t-0.abc-delete</c> fail because that part is not a number.
    /// </summary>
    public static bool TryParse(string directoryName, out TopicPartition topicPartition)
    {
        topicPartition = default;
        var dash = directoryName.LastIndexOf('-');
        if (dash <= 0 || dash == directoryName.Length - 1)
            return false;
        var digits = directoryName.AsSpan(dash + 1);
        foreach (var c in digits)
            if (c is < '0' or > '9')
                return false;
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var partition))
            return false;
        topicPartition = new TopicPartition(directoryName[..dash], partition);
        return true;
    }
}
