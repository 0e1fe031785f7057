using System.Net;
using System.Text.Json;

namespace Broker.Broker.Tests.Operations;

/// <summary>GETs against a node's operations endpoint, as a Kubernetes probe or Prometheus would send them.</summary>
public static class OperationsHttp
{
    private static readonly HttpClient Client = new() { Timeout = TimeSpan.FromSeconds(5) };

    public sealed record Answer(HttpStatusCode Status, string Body)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;

        public override string ToString() => $"{(int)Status} {Body}";
    }

    /// <summary>The answer, or null while nothing answers on the port.</summary>
    public static async Task<Answer?> GetAsync(string host, int port, string pathAndQuery)
    {
        try
        {
            using var response = await Client.GetAsync($"http://{host}:{port}{pathAndQuery}");
            return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Polls until the answer has <paramref name="status"/>; returns it, or fails with the last one and <paramref name="logs"/>.</summary>
    public static Task<Answer> WaitForStatusAsync(string host, int port, string pathAndQuery, HttpStatusCode status, Func<string> logs,
        TimeSpan? deadline = null) =>
        WaitForAsync(host, port, pathAndQuery, a => a.Status == status, $"status {(int)status}", logs, deadline);

    /// <summary>Polls until an answer satisfies <paramref name="wanted"/>; returns it, or fails with the last one and <paramref name="logs"/>.</summary>
    public static async Task<Answer> WaitForAsync(string host, int port, string pathAndQuery, Func<Answer, bool> wanted, string what,
        Func<string> logs, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var answer = await GetAsync(host, port, pathAndQuery);
            if (answer is not null && wanted(answer))
                return answer;
            if (DateTime.UtcNow > until)
                Assert.Fail($"GET {pathAndQuery} on port {port}: no answer with {what}; last answer: {answer?.ToString() ?? "none"}\n{logs()}");
            await Task.Delay(50);
        }
    }
}
