using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Broker.Broker.Tests.Fuzz;

/// <summary>What the fuzzer sent and how the broker took it.</summary>
public sealed record FuzzStats(long Frames, long Answered, long Closed, long Unanswered, long Connections);

/// <summary>
/// Sends mutated frames from several connections at once. Each worker draws its frames from its own
/// <see cref="Random"/> seeded from the run's seed, so the frames sent do not depend on timing. A frame
/// is sent and its answer awaited: an answer keeps the connection (for a while), a close or silence
/// (the broker waiting for bytes a damaged length promised, or a long poll) opens a new one.
/// </summary>
public sealed class FuzzDriver(int port, FrameMutator mutator, int seed)
{
    private static readonly TimeSpan AnswerDeadline = TimeSpan.FromMilliseconds(100);
    private const int FramesPerConnection = 64;

    private long _answered, _closed, _unanswered, _connections;

    public async Task<FuzzStats> RunAsync(int frames, int workers)
    {
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => WorkerAsync(w, frames / workers + (w < frames % workers ? 1 : 0)))));
        return new FuzzStats(frames, _answered, _closed, _unanswered, _connections);
    }

    private async Task WorkerAsync(int worker, int frames)
    {
        var random = new Random(HashCode.Combine(seed, worker));
        Socket? socket = null;
        var onConnection = 0;
        var size = new byte[4];
        for (var i = 0; i < frames; i++)
        {
            var payload = mutator.Next(random);
            if (socket is null || onConnection >= FramesPerConnection)
            {
                socket?.Dispose();
                socket = await ConnectAsync();
                onConnection = 0;
            }
            onConnection++;
            var frame = new byte[4 + payload.Length];
            // Now and then a size prefix that disagrees with the bytes that follow.
            BinaryPrimitives.WriteInt32BigEndian(frame, random.Next(500) == 0 ? FrameMutator.InterestingInt(random, payload.Length) : payload.Length);
            payload.CopyTo(frame, 4);
            switch (await ExchangeAsync(socket, frame, size))
            {
                case Outcome.Answered:
                    Interlocked.Increment(ref _answered);
                    break;
                case Outcome.Closed:
                    Interlocked.Increment(ref _closed);
                    socket.Dispose();
                    socket = null;
                    break;
                default:
                    Interlocked.Increment(ref _unanswered);
                    socket.Dispose();
                    socket = null;
                    break;
            }
        }
        socket?.Dispose();
    }

    private enum Outcome { Answered, Closed, Unanswered }

    private async Task<Socket> ConnectAsync()
    {
        Interlocked.Increment(ref _connections);
        // Linger 0: closing resets the connection, so a hundred thousand of them leave no TIME_WAIT behind.
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, LingerState = new LingerOption(true, 0) };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    private static async Task<Outcome> ExchangeAsync(Socket socket, byte[] frame, byte[] size)
    {
        using var deadline = new CancellationTokenSource(AnswerDeadline);
        try
        {
            await socket.SendAsync(frame, SocketFlags.None, deadline.Token);
            if (!await ReceiveAsync(socket, size, deadline.Token))
                return Outcome.Closed;
            var length = BinaryPrimitives.ReadInt32BigEndian(size);
            var body = new byte[Math.Clamp(length, 0, 64 * 1024 * 1024)];
            return await ReceiveAsync(socket, body, deadline.Token) ? Outcome.Answered : Outcome.Closed;
        }
        catch (OperationCanceledException)
        {
            return Outcome.Unanswered;
        }
        catch (SocketException)
        {
            return Outcome.Closed;
        }
    }

    private static async Task<bool> ReceiveAsync(Socket socket, byte[] buffer, CancellationToken cancel)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancel);
            if (n == 0)
                return false;
            read += n;
        }
        return true;
    }
}
