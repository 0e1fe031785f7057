using Broker.Groups;
using Broker.Protocol;

namespace Broker.Broker.Tests.Groups;

/// <summary>__consumer_offsets partitions as lists of records; appends can be made to fail.</summary>
public sealed class InMemoryGroupLog : IGroupLog
{
    private readonly Dictionary<int, List<GroupRecord>> _partitions = [];

    public ErrorCode FailWith { get; set; } = ErrorCode.None;

    public IReadOnlyList<GroupRecord> Records(int partition) => _partitions.GetValueOrDefault(partition) ?? [];

    public ErrorCode Append(int partition, IReadOnlyList<GroupRecord> records)
    {
        if (FailWith != ErrorCode.None)
            return FailWith;
        if (!_partitions.TryGetValue(partition, out var list))
            _partitions[partition] = list = [];
        list.AddRange(records);
        return ErrorCode.None;
    }

    public IEnumerable<GroupRecord> ReadAll(int partition) => Records(partition).ToList();
}
