using Broker.Protocol.Records;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>One broker process shared by the tests of a class; each test uses topics of its own.</summary>
public class SharedBroker : IAsyncLifetime
{
    private E2EBroker? _broker;

    public E2EBroker Broker => _broker ?? throw new InvalidOperationException("The shared broker did not start.");

    public async Task InitializeAsync() => _broker = await StartAsync();

    /// <summary>How the broker starts; a subclass may pass overrides or prepare it further.</summary>
    protected virtual Task<E2EBroker> StartAsync() => E2EBroker.StartAsync();

    public async Task DisposeAsync()
    {
        if (_broker is not null)
            await _broker.DisposeAsync();
    }
}

/// <summary>
/// Base of the end-to-end test classes: after each test, what the broker logged during it goes to
/// the test output, which the runner shows next to a failure.
/// </summary>
public abstract class EndToEndTest(ITestOutputHelper output) : IDisposable
{
    private readonly List<(E2EBroker Broker, E2EBroker.LogMark From)> _watched = [];

    protected ITestOutputHelper Output { get; } = output;

    /// <summary>Logs of <paramref name="broker"/> from now on will be attached to this test's output.</summary>
    protected E2EBroker Watch(E2EBroker broker)
    {
        _watched.Add((broker, broker.Mark()));
        return broker;
    }

    /// <summary>A topic name no other test uses, readable in broker logs.</summary>
    protected static string UniqueTopic(string purpose) => $"{purpose}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// 50 keyed records produced with <paramref name="codec"/> come back as produced, at offsets 0-49 of
    /// partition 0, and every stored batch is compressed with that codec.
    /// </summary>
    protected async Task AssertRoundTripAsync(ScriptedClient client, E2EBroker broker, string codec)
    {
        Watch(broker);
        var topic = UniqueTopic($"{client.Name}-{codec}");
        // Repetitive values so every codec really shrinks the batch.
        var records = Enumerable.Range(0, 50)
            .Select(i => new OutRecord($"key-{i}", $"value {i}: " + string.Concat(Enumerable.Repeat("all work and no play ", 5))))
            .ToList();

        var deliveries = await client.ProduceAsync(broker, topic, records, codec);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (0, (long)i)), deliveries.Select(d => (d.Partition, d.Offset)));

        var consumed = await client.ConsumeAsync(broker, topic);
        Assert.Equal(records.Select((r, i) => (0, (long)i, r.Key, r.Value)), consumed.Select(c => (c.Partition, c.Offset, c.Key, c.Value)));
        var stored = StoredCodecs(broker, topic, 0);
        Assert.NotEmpty(stored);
        Assert.All(stored, c => Assert.Equal(Enum.Parse<CompressionType>(codec, ignoreCase: true), c));
    }

    /// <summary>The compression codec of every batch stored for the partition, read from its segment files.</summary>
    protected static List<CompressionType> StoredCodecs(E2EBroker broker, string topic, int partition)
    {
        var codecs = new List<CompressionType>();
        foreach (var segment in Directory.GetFiles(Path.Combine(broker.DataDir, $"{topic}-{partition}"), "*.log").Order(StringComparer.Ordinal))
        {
            byte[] bytes;
            using (var file = new FileStream(segment, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                bytes = new byte[file.Length];
                file.ReadExactly(bytes);
            }
            foreach (var bounds in new RecordBatchWalker(bytes, allowTruncatedTail: true, verifyCrc: true))
                codecs.Add(new RecordBatchHeader(bytes.AsSpan(bounds.Position, bounds.Length)).Compression);
        }
        return codecs;
    }

    public void Dispose()
    {
        foreach (var (broker, from) in _watched)
            Output.WriteLine($"broker {broker.Bootstrap} output during this test:\n{broker.LogsSince(from)}");
        GC.SuppressFinalize(this);
    }
}
