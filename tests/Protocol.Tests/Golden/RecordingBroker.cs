using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Broker.Protocol.Compression;
using Broker.Protocol.Messages;
using Broker.Protocol.Records;

namespace Broker.Protocol.Tests.Golden;

internal sealed class RecordingBrokerOptions
{
    /// <summary>What a "list all topics" Metadata request returns besides topics clients named.</summary>
    public string DefaultTopic { get; init; } = "golden";

    /// <summary>Served from offset 0 of every partition, as one batch.</summary>
    public IReadOnlyList<CannedRecord> FetchRecords { get; init; } =
    [
        new("k0", "canned value zero", ("h", "0")),
        new("k1", "canned value one"),
        new(null, "canned value with null key", ("h", "2"), ("empty", "")),
    ];

    public CompressionType FetchCompression { get; init; } = CompressionType.None;

    /// <summary>Record i carries this plus i; fixed so that what a consumer prints is predictable.</summary>
    public long FetchBaseTimestamp { get; init; } = 1_700_000_000_000;

    /// <summary>
    /// A Fetch that finds nothing new waits for its MaxWaitMs like a real broker would, but at most
    /// this long: consumers poll in a loop and a short wait keeps them from spinning or idling.
    /// </summary>
    public TimeSpan EmptyFetchWaitCap { get; init; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>
/// Just enough of a Kafka broker for a real client to run its usual produce and consume paths
/// against, while every request frame it sends is kept byte for byte. It answers with the
/// generated response types, so a client that is happy with the answers is also a check of our
/// encoders. Anything it cannot decode or answer closes the connection and is noted in
/// <see cref="Faults"/>, which tests report alongside the client's own complaints.
/// </summary>
internal sealed partial class RecordingBroker : IAsyncDisposable, IDisposable
{
    /// <summary>Clients here send kilobytes; a larger size means we lost sync with the stream.</summary>
    private const int MaxFrameSize = 16 * 1024 * 1024;

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, TcpClient> _connections = new();
    private readonly ConcurrentQueue<string> _faults = new();
    private readonly List<CapturedRequest> _requests = [];
    private readonly object _gate = new();
    private readonly Task _acceptLoop;
    private readonly List<Task> _connectionTasks = [];
    private TaskCompletionSource _changed = NewSignal();
    private int _nextConnection;
    private int _disposed;

    public RecordingBroker(RecordingBrokerOptions? options = null)
    {
        Options = options ?? new RecordingBrokerOptions();
        FetchBatch = BuildFetchBatch(Options);
        FetchEndOffset = Options.FetchRecords.Count;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        KnowTopic(Options.DefaultTopic);
        _acceptLoop = AcceptLoopAsync();
    }

    public RecordingBrokerOptions Options { get; }
    public string Host => "127.0.0.1";
    public int Port { get; }
    public string BootstrapServers => $"{Host}:{Port}";

    /// <summary>The canned batch every partition holds, starting at offset 0.</summary>
    public byte[] FetchBatch { get; }

    /// <summary>Log end offset (and high watermark) of every partition.</summary>
    public long FetchEndOffset { get; }

    public IReadOnlyList<string> Faults => _faults.ToArray();

    public IReadOnlyList<CapturedRequest> Requests
    {
        get
        {
            lock (_gate)
                return _requests.ToArray();
        }
    }

    public IReadOnlyList<CapturedRequest> RequestsOf(ApiKey key) => Requests.Where(r => r.ApiKey == key).ToArray();

    /// <summary>Waits, up to <paramref name="timeout"/>, until some captured request matches.</summary>
    public async Task<CapturedRequest> WaitForAsync(Func<CapturedRequest, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var found = _requests.FirstOrDefault(match);
                if (found is not null)
                    return found;
                changed = _changed.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"No {what} within {timeout}. {Describe()}");
            try
            {
                await changed.WaitAsync(left);
            }
            catch (TimeoutException)
            {
                // Looked at once more above before giving up, with the full story.
            }
        }
    }

    /// <summary>Captured requests and faults, for assertion messages.</summary>
    public string Describe() =>
        $"Requests: [{string.Join("; ", Requests)}]. Broker faults: [{string.Join("; ", Faults)}].";

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static byte[] BuildFetchBatch(RecordingBrokerOptions options)
    {
        using var builder = new RecordBatchBuilder(options.FetchCompression) { PartitionLeaderEpoch = 0 };
        for (int i = 0; i < options.FetchRecords.Count; i++)
        {
            var record = options.FetchRecords[i];
            var headers = record.Headers.Select(h => new RecordHeaderEntry(h.Key, h.Value is null ? null : Utf8(h.Value))).ToArray();
            builder.Append(options.FetchBaseTimestamp + i, Utf8(record.Key), Utf8(record.Value), headers);
        }
        using var batch = builder.Build();
        return batch.ToArray();
    }

    private static byte[]? Utf8(string? text) => text is null ? null : System.Text.Encoding.UTF8.GetBytes(text);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                _faults.Enqueue($"accept failed: {e.Message}");
                return;
            }
            client.NoDelay = true;
            int id = Interlocked.Increment(ref _nextConnection);
            _connections[id] = client;
            lock (_gate)
                _connectionTasks.Add(ServeAsync(id, client));
        }
    }

    private async Task ServeAsync(int connection, TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            var sizeBytes = new byte[4];
            while (!_stop.IsCancellationRequested)
            {
                if (!await ReadFullyAsync(stream, sizeBytes))
                    return;
                int size = BinaryPrimitives.ReadInt32BigEndian(sizeBytes);
                if (size < GoldenFrame.MinimumFrame - 4 || size > MaxFrameSize)
                {
                    _faults.Enqueue($"connection {connection}: frame size {size} is impossible; closing");
                    return;
                }
                var frame = new byte[4 + size];
                sizeBytes.CopyTo(frame, 0);
                if (!await ReadFullyAsync(stream, frame.AsMemory(4)))
                {
                    _faults.Enqueue($"connection {connection}: closed in the middle of a {size}-byte frame");
                    return;
                }

                var answer = Answer(connection, frame);
                if (answer is null)
                    return;
                if (answer.Delay > TimeSpan.Zero)
                    await Task.Delay(answer.Delay, _stop.Token);
                if (answer.Response is not null)
                    await stream.WriteAsync(answer.Response, _stop.Token);
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
            // The client hung up; that is how every client session ends.
        }
        catch (Exception e)
        {
            _faults.Enqueue($"connection {connection}: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            _connections.TryRemove(connection, out _);
            client.Dispose();
        }
    }

    private async Task<bool> ReadFullyAsync(NetworkStream stream, Memory<byte> buffer)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, _stop.Token);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }

    private void Capture(CapturedRequest request)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _requests.Add(request);
            changed = _changed;
            _changed = NewSignal();
        }
        changed.TrySetResult();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _stop.Cancel();
        _listener.Stop();
        foreach (var client in _connections.Values)
            client.Dispose();
        Task[] tasks;
        lock (_gate)
            tasks = [_acceptLoop, .. _connectionTasks];
        try
        {
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            _faults.Enqueue("connections did not stop within 10 s of Dispose");
        }
        _stop.Dispose();
    }
}
