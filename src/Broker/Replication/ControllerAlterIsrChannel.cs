using Broker.Controller;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Broker.Replication;

/// <summary>
/// Sends leaders' ISR proposals to the active controller as AlterPartition, batching whatever is
/// pending into one request (Kafka's AlterPartitionManager). A proposal that cannot be delivered
/// (no controller reachable) stays pending and is retried: a leader cut off from the controller
/// never gets its ISR shrunk, so its high watermark, and thus its acks=all answers, stop.
/// </summary>
public sealed class ControllerAlterIsrChannel : IAlterIsrChannel, IAsyncDisposable
{
    private readonly Dictionary<(Uuid TopicId, int Partition), AlterIsrRequest> _pending = [];
    private readonly ControllerChannel _channel;
    private readonly int _brokerId;
    private readonly Func<long> _brokerEpoch;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _retryBackoff;
    private TaskCompletionSource _submitted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;

    public ControllerAlterIsrChannel(ControllerChannel channel, int brokerId, Func<long> brokerEpoch, TimeSpan retryBackoff, ILogger logger)
    {
        _channel = channel;
        _brokerId = brokerId;
        _brokerEpoch = brokerEpoch;
        _retryBackoff = retryBackoff;
        _logger = logger;
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    public void Submit(AlterIsrRequest request)
    {
        AlterIsrRequest? replaced;
        lock (_pending)
        {
            _pending.Remove((request.TopicId, request.Partition), out replaced);
            _pending[(request.TopicId, request.Partition)] = request;
            _submitted.TrySetResult();
        }
        // One proposal per partition in flight: an older one is void (its leader state has moved on).
        replaced?.Complete(AlterIsrOutcome.Failed(ErrorCode.OperationNotAttempted));
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            List<AlterIsrRequest> batch;
            Task submitted;
            lock (_pending)
            {
                batch = [.. _pending.Values];
                if (_submitted.Task.IsCompleted)
                    _submitted = new(TaskCreationOptions.RunContinuationsAsynchronously);
                submitted = _submitted.Task;
            }
            try
            {
                if (batch.Count == 0 || _brokerEpoch() < 0)
                {
                    await Task.WhenAny(submitted, Task.Delay(batch.Count == 0 ? Timeout.Infinite : (int)_retryBackoff.TotalMilliseconds, stop)).ConfigureAwait(false);
                    continue;
                }
                var response = await _channel.SendAsync<AlterPartitionResponse>(Build(batch), stop).ConfigureAwait(false);
                failures = 0;
                Deliver(batch, response);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (ControllerUnavailableException e)
            {
                if (failures++ == 0)
                    _logger.LogWarning("Cannot send ISR changes to the controller ({Count} pending): {Error}", batch.Count, e.Message);
                try
                {
                    await Task.Delay(_retryBackoff, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private AlterPartitionRequest Build(List<AlterIsrRequest> batch)
    {
        var request = new AlterPartitionRequest { BrokerId = _brokerId, BrokerEpoch = _brokerEpoch() };
        foreach (var topic in batch.GroupBy(b => b.TopicId))
        {
            var data = new AlterPartitionRequest.TopicData { TopicId = topic.Key, TopicName = topic.First().Topic };
            foreach (var p in topic)
            {
                var partition = new AlterPartitionRequest.PartitionData
                {
                    PartitionIndex = p.Partition,
                    LeaderEpoch = p.LeaderEpoch,
                    PartitionEpoch = p.PartitionEpoch,
                    LeaderRecoveryState = 0,
                    NewIsr = p.NewIsr.Select(m => m.BrokerId).ToList(),
                };
                foreach (var member in p.NewIsr)
                    partition.NewIsrWithEpochs.Add(new AlterPartitionRequest.BrokerState { BrokerId = member.BrokerId, BrokerEpoch = member.BrokerEpoch });
                data.Partitions.Add(partition);
            }
            request.Topics.Add(data);
        }
        return request;
    }

    private void Deliver(List<AlterIsrRequest> batch, AlterPartitionResponse response)
    {
        var answers = new Dictionary<(Uuid, int), AlterIsrOutcome>();
        foreach (var topic in response.Topics)
        {
            var topicId = topic.TopicId != default ? topic.TopicId : batch.FirstOrDefault(b => b.Topic == topic.TopicName)?.TopicId ?? default;
            foreach (var p in topic.Partitions)
                answers[(topicId, p.PartitionIndex)] = new AlterIsrOutcome((ErrorCode)p.ErrorCode, p.Isr, p.LeaderEpoch, p.PartitionEpoch);
        }
        foreach (var request in batch)
        {
            lock (_pending)
            {
                // Superseded while in flight: the newer proposal is still pending and its partition ignores this answer.
                if (_pending.TryGetValue((request.TopicId, request.Partition), out var current) && ReferenceEquals(current, request))
                    _pending.Remove((request.TopicId, request.Partition));
            }
            var outcome = response.ErrorCode != 0 ? AlterIsrOutcome.Failed((ErrorCode)response.ErrorCode)
                : answers.TryGetValue((request.TopicId, request.Partition), out var answer) ? answer
                : AlterIsrOutcome.Failed(ErrorCode.UnknownServerError);
            request.Complete(outcome);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
            await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
