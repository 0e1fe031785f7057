using System.Diagnostics;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Records;
using Broker.Protocol.Wire;

namespace Broker.Perf;

/// <summary>
/// One consumer's fetch loop against one leader: a sessionless Fetch for all its partitions at a
/// time (as a consumer has one fetch in flight per broker), records counted and their key and value
/// bytes summed straight from the response buffer, offsets advanced past every whole batch.
/// </summary>
public sealed class ConsumerLink : IResponseHandler
{
    private const short FetchVersion = 12;

    private readonly PerfOptions _options;
    private readonly IReadOnlyList<int> _partitions;
    private readonly long[] _offsets;
    private readonly BrokerConnection _connection;
    private readonly LiveStats _stats;
    private TaskCompletionSource _answered = new();
    private string? _firstError;

    public ConsumerLink(PerfOptions options, IReadOnlyList<int> partitions, BrokerConnection connection, LiveStats stats)
    {
        _options = options;
        _partitions = partitions;
        _offsets = new long[partitions.Count];
        _connection = connection;
        _stats = stats;
    }

    /// <summary>Fetch round trips, once per fetch.</summary>
    public LatencyHistogram FetchLatency { get; } = new();
    public long Records { get; private set; }
    public long Bytes { get; private set; }
    public long WireBytes { get; private set; }
    public long Fetches { get; private set; }
    public string? FirstError => _firstError;
    public IReadOnlyList<long> NextOffsets => _offsets;

    /// <summary>When records last arrived: the end of the measured interval for runs that stop on idleness.</summary>
    public TimeSpan LastRecordAt { get; private set; }

    public async Task RunAsync(Stopwatch clock, Func<bool> enough, CancellationToken cancel)
    {
        var lastProgress = clock.Elapsed;
        while (!cancel.IsCancellationRequested && !enough())
        {
            if (_options.Duration is { } duration && clock.Elapsed >= duration)
                break;
            var before = Records;
            _answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await _connection.SendAsync(BuildRequest(), FetchVersion, this, cancel);
            await _answered.Task.WaitAsync(cancel);
            if (Records > before)
                LastRecordAt = lastProgress = clock.Elapsed;
            else if (clock.Elapsed - lastProgress > _options.IdleTimeout)
                break;
        }
    }

    private FetchRequest BuildRequest()
    {
        var topic = new FetchRequest.FetchTopic { Topic = _options.Topic };
        for (var i = 0; i < _partitions.Count; i++)
            topic.Partitions.Add(new FetchRequest.FetchPartition
            {
                Partition = _partitions[i], FetchOffset = _offsets[i], PartitionMaxBytes = _options.PartitionFetchMaxBytes,
            });
        return new FetchRequest
        {
            MaxWaitMs = _options.FetchMaxWaitMs, MinBytes = 1, MaxBytes = _options.FetchMaxBytes,
            SessionId = 0, SessionEpoch = -1, Topics = [topic],
        };
    }

    public void OnResponse(ReadOnlyMemory<byte> body, long sentTimestamp)
    {
        try
        {
            FetchLatency.Record(LiveStats.MicrosSince(sentTimestamp));
            Fetches++;
            var reader = new KafkaReader(body);
            var response = new FetchResponse();
            response.Read(ref reader, FetchVersion);
            if (response.ErrorCode != 0)
                throw new InvalidOperationException($"Fetch failed: error {response.ErrorCode}");
            foreach (var topic in response.Responses)
                foreach (var p in topic.Partitions)
                    Consume(p);
            _answered.TrySetResult();
        }
        catch (Exception e)
        {
            _answered.TrySetException(e);
        }
    }

    private void Consume(FetchResponse.PartitionData partition)
    {
        var index = IndexOf(partition.PartitionIndex);
        if (partition.ErrorCode == (short)ErrorCode.OffsetOutOfRange && partition.LogStartOffset > _offsets[index])
        {
            _offsets[index] = partition.LogStartOffset;
            return;
        }
        if (partition.ErrorCode != 0)
        {
            _firstError ??= $"partition {partition.PartitionIndex}: error {partition.ErrorCode}";
            return;
        }
        var records = partition.Records ?? ReadOnlyMemory<byte>.Empty;
        WireBytes += records.Length;
        long count = 0, bytes = 0;
        var from = _offsets[index];
        var walker = new RecordBatchWalker(records.Span, allowTruncatedTail: true, verifyCrc: _options.CheckCrcs);
        foreach (var bounds in walker)
        {
            var batch = records.Span.Slice(bounds.Position, bounds.Length);
            var header = new RecordBatchHeader(batch);
            if (header.LastOffset < from)
                continue;
            if (!header.IsControl)
                foreach (var record in new RecordIterator(batch))
                    if (record.Offset >= from)
                    {
                        count++;
                        bytes += record.Key.Length + record.Value.Length;
                    }
            _offsets[index] = header.LastOffset + 1;
        }
        Records += count;
        Bytes += bytes;
        _stats.Add(count, bytes);
    }

    private int IndexOf(int partition)
    {
        for (var i = 0; i < _partitions.Count; i++)
            if (_partitions[i] == partition)
                return i;
        throw new InvalidOperationException($"Fetch answered for partition {partition}, which was not asked for.");
    }

    public void OnFailure(Exception error) => _answered.TrySetException(error);
}
