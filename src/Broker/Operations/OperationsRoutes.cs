using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Broker.Config;
using Broker.Metadata;
using Microsoft.AspNetCore.Http;

namespace Broker.Operations;

/// <summary>
/// The paths the operations endpoint serves. One request delegate rather than routing: a handful of
/// fixed paths, and nothing here needs reflection or generated request delegates.
/// </summary>
public sealed class OperationsRoutes(BrokerConfig config, MetadataCache metadata, NodeReadiness readiness, Metrics.BrokerMetrics? metrics)
{
    private volatile Cluster.ClusterView? _cluster;

    /// <summary>Set once the node has its partitions and groups; until then / and /api/cluster answer 503.</summary>
    public Cluster.ClusterView? Cluster
    {
        get => _cluster;
        set => _cluster = value;
    }

    public Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
            return Status(context, StatusCodes.Status405MethodNotAllowed);
        return request.Path.Value switch
        {
            "/healthz" => Json(context, StatusCodes.Status200OK, new LivenessReport("ok", config.NodeId), OperationsJson.Default.LivenessReport),
            "/ready" => ReadyAsync(context, request.Query.ContainsKey("safe-to-roll")),
            "/metrics" when metrics is not null => MetricsAsync(context, metrics),
            "/" or "/index.html" => PageAsync(context),
            "/api/cluster" => ClusterAsync(context),
            _ => Status(context, StatusCodes.Status404NotFound),
        };
    }

    private Task ReadyAsync(HttpContext context, bool safeToRoll)
    {
        var report = readiness.Check();
        if (safeToRoll)
        {
            var (count, listed) = SafeToRoll.PartitionsAtRisk(config, metadata.Current, config.NodeId);
            report = report with
            {
                SafeToRoll = report.Ready && count == 0,
                PartitionsAtRisk = count,
                AtRisk = listed,
                Reasons = count == 0 ? report.Reasons
                    : [.. report.Reasons, $"{count} partition(s) would fall below min.insync.replicas if this broker stopped"],
            };
        }
        var ok = safeToRoll ? report.SafeToRoll == true : report.Ready;
        return Json(context, ok ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, report, OperationsJson.Default.ReadinessReport);
    }

    private static Task PageAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.Body.WriteAsync(global::Broker.Operations.Cluster.ClusterPage.Html, context.RequestAborted).AsTask();
    }

    private async Task ClusterAsync(HttpContext context)
    {
        if (Cluster is not { } cluster)
        {
            await Status(context, StatusCodes.Status503ServiceUnavailable).ConfigureAwait(false);
            return;
        }
        var snapshot = await cluster.SnapshotAsync(context.RequestAborted).ConfigureAwait(false);
        await Json(context, StatusCodes.Status200OK, snapshot, OperationsJson.Default.ClusterSnapshot).ConfigureAwait(false);
    }

    private static Task MetricsAsync(HttpContext context, Metrics.BrokerMetrics metrics)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        return metrics.WriteAsync(context.Response.Body, context.RequestAborted);
    }

    private static Task Json<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
    }

    private static Task Status(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }
}
