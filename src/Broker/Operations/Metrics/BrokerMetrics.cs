using System.Collections.Concurrent;
using System.Diagnostics;
using Prometheus;

namespace Broker.Operations.Metrics;

/// <summary>
/// The counters request handling feeds, under the names the Prometheus JMX exporter gives Kafka's
/// MBeans (Strimzi's kafka-metrics rules), so existing dashboards and alerts work unchanged. Hot
/// paths only look up cached label children (per topic, per API key) and add to them: no
/// allocation per request once a topic or API has been seen.
/// </summary>
public sealed class BrokerMetrics
{
    private readonly Counter _messagesIn;
    private readonly Counter _bytesIn;
    private readonly Counter _bytesOut;
    private readonly Counter _requests;
    private readonly Histogram _totalTime;
    private readonly ConcurrentDictionary<string, TopicCounters> _topics = new(StringComparer.Ordinal);
    private readonly RequestCounters?[] _apis = new RequestCounters?[short.MaxValue + 1];

    public BrokerMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        Factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _messagesIn = Factory.CreateCounter("kafka_server_brokertopicmetrics_messagesin_total", "Records appended to the topic's partitions led here.", "topic");
        _bytesIn = Factory.CreateCounter("kafka_server_brokertopicmetrics_bytesin_total", "Record batch bytes produced to the topic's partitions led here.", "topic");
        _bytesOut = Factory.CreateCounter("kafka_server_brokertopicmetrics_bytesout_total", "Record batch bytes sent to consumers of the topic (replication not counted).", "topic");
        _requests = Factory.CreateCounter("kafka_network_requestmetrics_requests_total", "Requests handled, per API.", "request");
        _totalTime = Factory.CreateHistogram("kafka_network_requestmetrics_totaltimems", "Time from a request's decoding to its encoded response, in milliseconds, per API.",
            new HistogramConfiguration
            {
                LabelNames = ["request"],
                Buckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000],
            });
        // process_cpu_seconds_total, process_resident_memory_bytes, process_start_time_seconds, dotnet GC and thread counts.
        DotNetStats.Register(Registry);
    }

    public CollectorRegistry Registry { get; }

    /// <summary>For the gauges computed at scrape time (<see cref="StateGauges"/>).</summary>
    public MetricFactory Factory { get; }

    /// <summary>A produce to <paramref name="topic"/> appended <paramref name="records"/> records in <paramref name="bytes"/> bytes.</summary>
    public void Produced(string topic, long records, long bytes)
    {
        var counters = Topic(topic);
        counters.MessagesIn.Inc(records);
        counters.BytesIn.Inc(bytes);
    }

    /// <summary>A consumer fetch response carries <paramref name="bytes"/> bytes of <paramref name="topic"/>.</summary>
    public void Fetched(string topic, long bytes) => Topic(topic).BytesOut.Inc(bytes);

    /// <summary>One request of <paramref name="apiKey"/> finished; <paramref name="startTimestamp"/> is its <see cref="Stopwatch.GetTimestamp"/>.</summary>
    public void Requested(short apiKey, string apiName, long startTimestamp)
    {
        var counters = _apis[apiKey] ??= new RequestCounters(_requests.WithLabels(apiName), _totalTime.WithLabels(apiName));
        counters.Requests.Inc();
        counters.TotalTime.Observe(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds);
    }

    /// <summary>Messages and bytes in and bytes out over every topic since start (topics deleted since are not counted).</summary>
    public (double MessagesIn, double BytesIn, double BytesOut) Totals()
    {
        double messages = 0, bytesIn = 0, bytesOut = 0;
        foreach (var counters in _topics.Values)
        {
            messages += counters.MessagesIn.Value;
            bytesIn += counters.BytesIn.Value;
            bytesOut += counters.BytesOut.Value;
        }
        return (messages, bytesIn, bytesOut);
    }

    /// <summary>Forgets a deleted topic's series.</summary>
    public void Forget(string topic)
    {
        if (!_topics.TryRemove(topic, out _))
            return;
        _messagesIn.RemoveLabelled(topic);
        _bytesIn.RemoveLabelled(topic);
        _bytesOut.RemoveLabelled(topic);
    }

    public Task WriteAsync(Stream output, CancellationToken cancel) => Registry.CollectAndExportAsTextAsync(output, cancel);

    private TopicCounters Topic(string topic) =>
        _topics.TryGetValue(topic, out var counters)
            ? counters
            : _topics.GetOrAdd(topic, t => new TopicCounters(_messagesIn.WithLabels(t), _bytesIn.WithLabels(t), _bytesOut.WithLabels(t)));

    private sealed record TopicCounters(Counter.Child MessagesIn, Counter.Child BytesIn, Counter.Child BytesOut);

    private sealed record RequestCounters(Counter.Child Requests, Histogram.Child TotalTime);
}
