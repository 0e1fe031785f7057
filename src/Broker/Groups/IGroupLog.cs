using Broker.Protocol;

namespace Broker.Groups;

/// <summary>Where the coordinator keeps its state: the partitions of __consumer_offsets.</summary>
public interface IGroupLog
{
    /// <summary>Appends records to one partition; NONE once they are committed, else the append's error (as a Produce gets it).</summary>
    ErrorCode Append(int partition, IReadOnlyList<GroupRecord> records);

    /// <summary>Every record of a partition, oldest first, to rebuild the coordinator's state.</summary>
    IEnumerable<GroupRecord> ReadAll(int partition);
}
