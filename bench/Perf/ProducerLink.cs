using System.Collections.Concurrent;
using System.Diagnostics;
using Broker.Protocol.Messages;
using Broker.Protocol.Records;
using Broker.Protocol.Wire;

namespace Broker.Perf;

/// <summary>
/// One producer's connection to one leader: each Produce request carries a batch for every
/// partition the link owns (as a Kafka producer drains its accumulator per broker), up to
/// max-in-flight requests are pipelined, and each acknowledgement records its send→ack latency
/// once per record of the request. Records share one value array; nothing is allocated per record.
/// </summary>
public sealed class ProducerLink : IResponseHandler
{
    private const short ProduceVersion = 9;

    private readonly PerfOptions _options;
    private readonly IReadOnlyList<int> _partitions;
    private readonly BrokerConnection _connection;
    private readonly RecordQuota _quota;
    private readonly LiveStats _stats;
    private readonly byte[] _value;
    private readonly double _recordsPerSecond;
    private readonly ConcurrentQueue<(long Records, long Bytes)> _sent = new();
    private string? _firstError;

    public ProducerLink(PerfOptions options, IReadOnlyList<int> partitions, BrokerConnection connection,
        RecordQuota quota, LiveStats stats, byte[] value, double recordsPerSecond)
    {
        _options = options;
        _partitions = partitions;
        _connection = connection;
        _quota = quota;
        _stats = stats;
        _value = value;
        _recordsPerSecond = recordsPerSecond;
    }

    /// <summary>Latency of acknowledged records; written only by the connection's reader loop.</summary>
    public LatencyHistogram Latency { get; } = new();

    public long RecordsSent { get; private set; }
    public long RecordsAcked { get; private set; }
    public long RecordsFailed { get; private set; }
    public string? FirstError => _firstError;

    public async Task RunAsync(Stopwatch clock, CancellationToken cancel)
    {
        var perBatch = _options.RecordsPerBatch;
        var batches = new PooledBufferWriter?[_partitions.Count];
        var expectsAck = _options.Acks != 0;
        while (!cancel.IsCancellationRequested)
        {
            if (_options.Duration is { } duration && clock.Elapsed >= duration)
                break;
            var claimed = _quota.Claim(perBatch * _partitions.Count);
            if (claimed == 0)
                break;
            await ThrottleAsync(clock, cancel);

            var request = BuildRequest(claimed, perBatch, batches, out var requestBytes);
            try
            {
                if (expectsAck)
                    _sent.Enqueue((claimed, requestBytes));
                await _connection.SendAsync(request, ProduceVersion, expectsAck ? this : null, cancel);
            }
            finally
            {
                foreach (var b in batches)
                    b?.Dispose();
                Array.Clear(batches);
            }
            RecordsSent += claimed;
            if (!expectsAck)
                _stats.Add(claimed, requestBytes);
        }
        await _connection.DrainAsync();
    }

    private ProduceRequest BuildRequest(long records, int perBatch, PooledBufferWriter?[] batches, out long valueBytes)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var topicData = new ProduceRequest.TopicProduceData { Name = _options.Topic };
        valueBytes = records * _value.Length;
        for (var i = 0; i < _partitions.Count && records > 0; i++)
        {
            var n = (int)Math.Min(perBatch, records);
            records -= n;
            using var builder = new RecordBatchBuilder(_options.Compression, initialCapacity: n * (_value.Length + 16) + 128);
            for (var r = 0; r < n; r++)
                builder.Append(timestamp, NullableBytes.Null, _value);
            batches[i] = builder.Build();
            topicData.PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = _partitions[i], Records = batches[i]!.WrittenMemory });
        }
        return new ProduceRequest { Acks = _options.Acks, TimeoutMs = _options.RequestTimeoutMs, TopicData = [topicData] };
    }

    /// <summary>Holds the link to its share of the target rate: sleeps while ahead of schedule.</summary>
    private async ValueTask ThrottleAsync(Stopwatch clock, CancellationToken cancel)
    {
        if (_recordsPerSecond <= 0)
            return;
        var due = TimeSpan.FromSeconds(RecordsSent / _recordsPerSecond);
        var ahead = due - clock.Elapsed;
        if (ahead > TimeSpan.FromMilliseconds(1))
            await Task.Delay(ahead, cancel);
    }

    public void OnResponse(ReadOnlyMemory<byte> body, long sentTimestamp)
    {
        var micros = LiveStats.MicrosSince(sentTimestamp);
        _sent.TryDequeue(out var request);
        var reader = new KafkaReader(body);
        var response = new ProduceResponse();
        response.Read(ref reader, ProduceVersion);
        var failedPartitions = 0;
        var answered = 0;
        foreach (var topic in response.Responses)
            foreach (var p in topic.PartitionResponses)
            {
                answered++;
                if (p.ErrorCode != 0)
                {
                    failedPartitions++;
                    _firstError ??= $"partition {p.Index}: error {p.ErrorCode} {p.ErrorMessage}";
                }
            }
        if (failedPartitions > 0 || answered == 0)
        {
            // No retries in a perf run: a request with any failed partition counts as failed.
            RecordsFailed += request.Records;
            _stats.AddErrors(request.Records);
            return;
        }
        RecordsAcked += request.Records;
        Latency.Record(micros, request.Records);
        _stats.Add(request.Records, request.Bytes);
        _stats.AddLatency(micros, request.Records);
    }

    public void OnFailure(Exception error)
    {
        _firstError ??= error.Message;
        while (_sent.TryDequeue(out var request))
        {
            RecordsFailed += request.Records;
            _stats.AddErrors(request.Records);
        }
    }
}

/// <summary>The records left to send, claimed by producers a request at a time; unlimited for duration runs.</summary>
public sealed class RecordQuota(long total)
{
    private long _left = total < 0 ? long.MaxValue : total;

    public long Claim(long wanted)
    {
        while (true)
        {
            var left = Interlocked.Read(ref _left);
            var take = Math.Min(left, wanted);
            if (take <= 0)
                return 0;
            if (Interlocked.CompareExchange(ref _left, left - take, left) == left)
                return take;
        }
    }
}
