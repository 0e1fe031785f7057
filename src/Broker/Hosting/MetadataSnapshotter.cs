using Broker.Config;
using Broker.Controller;
using Broker.Metadata;
using Broker.Protocol.Wire;
using Broker.Raft.Client;
using Broker.Raft.Storage;
using Microsoft.Extensions.Logging;

namespace Broker.Hosting;

/// <summary>
/// Every node snapshots its own committed image (KIP-630): after
/// <c>metadata.log.max.record.bytes.between.snapshots</c> bytes of records, or when
/// <c>metadata.log.max.snapshot.interval.ms</c> has passed since the last snapshot and records
/// came since. The snapshot is written off the Raft thread; Raft stores it and deletes the log
/// before it, so restarts load it and replay only what follows, and a follower that fell behind
/// the log start copies it with FetchSnapshot.
/// </summary>
public sealed class MetadataSnapshotter(BrokerConfig config, MetadataCache cache, RaftClient raft, ILogger logger) : IAsyncDisposable
{
    private readonly long _maxBytes = config.GetLong("metadata.log.max.record.bytes.between.snapshots");
    private readonly long _maxIntervalMs = config.GetLong("metadata.log.max.snapshot.interval.ms");
    private long _bytesSince;
    private long _lastSnapshotMs = Environment.TickCount64;
    private Task _running = Task.CompletedTask;

    /// <summary>Called on the Raft thread after each committed batch has been applied to the image.</summary>
    public void OnCommitted(CommittedBatch batch)
    {
        _bytesSince += batch.Bytes;
        if (_bytesSince == 0 || !_running.IsCompleted)
            return;
        var due = _bytesSince >= _maxBytes || (_maxIntervalMs > 0 && Environment.TickCount64 - _lastSnapshotMs >= _maxIntervalMs);
        if (!due)
            return;
        _bytesSince = 0;
        _lastSnapshotMs = Environment.TickCount64;
        var image = cache.Current;
        _running = Task.Run(() => WriteAsync(image));
    }

    private async Task WriteAsync(MetadataImage image)
    {
        try
        {
            using var buffer = new PooledBufferWriter(256);
            var records = new List<byte[]>();
            foreach (var record in MetadataSnapshotRecords.From(image))
            {
                buffer.Reset();
                MetadataRecordSerde.Write(record, new KafkaWriter(buffer));
                records.Add(buffer.ToArray());
            }
            var bytes = SnapshotFile.Build(records, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), raft.Leader.Epoch);
            var id = await raft.CreateSnapshotAsync(image.Offset + 1, bytes).ConfigureAwait(false);
            if (id is { } created)
                logger.LogInformation("Wrote metadata snapshot {Snapshot} ({Records} records, {Bytes} bytes)", created, records.Count, bytes.Length);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            logger.LogWarning("Could not write a metadata snapshot at offset {Offset}: {Error}", image.Offset + 1, e.Message);
        }
    }

    public async ValueTask DisposeAsync() => await _running.ConfigureAwait(false);
}
