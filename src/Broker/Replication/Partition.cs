using Broker.Config;
using Broker.Log;

namespace Broker.Replication;

/// <summary>
/// A partition this node hosts: its log, the leader epoch it serves, and a signal that fires on every
/// append so that waiting fetches wake up without polling.
/// </summary>
public sealed class Partition(TopicPartition id, PartitionLog log, TopicConfig config)
{
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TopicPartition Id { get; } = id;
    public PartitionLog Log { get; } = log;
    public TopicConfig Config { get; private set; } = config;
    public int LeaderEpoch { get; set; }
    public int Leader { get; set; } = -1;

    /// <summary>Serializes appends: one writer per partition, readers go lock-free.</summary>
    public object AppendLock { get; } = new();

    /// <summary>Completes at the next append (or deletion) of this partition.</summary>
    public Task NextAppend => Volatile.Read(ref _appended).Task;

    public void SignalAppend() => Interlocked.Exchange(ref _appended, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public void UpdateConfig(TopicConfig config)
    {
        Config = config;
        Log.UpdateConfig(LogConfigs.From(config));
    }
}
