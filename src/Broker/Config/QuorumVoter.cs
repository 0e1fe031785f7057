using System.Globalization;
using System.Text.RegularExpressions;

namespace Broker.Config;

/// <summary>One entry of <c>controller.quorum.voters</c>: <c>id@host:port</c>.</summary>
public sealed partial record QuorumVoter(int NodeId, string Host, int Port)
{
    public override string ToString() =>
        $"{NodeId.ToString(CultureInfo.InvariantCulture)}@{HostPort.Format(Host, Port)}";

    public static IReadOnlyList<QuorumVoter> ParseList(string key, IReadOnlyList<string> items)
    {
        var voters = items.Select(item => Parse(key, item)).ToArray();
        var duplicate = voters.GroupBy(v => v.NodeId).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ConfigException(key, string.Join(",", items), $"Node id {duplicate.Key} appears more than once");
        return voters;
    }

    public static QuorumVoter Parse(string key, string text)
    {
        var match = Pattern().Match(text.Trim());
        if (!match.Success
            || !int.TryParse(match.Groups["id"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            throw new ConfigException(key, text, "Expected id@host:port, e.g. 1@localhost:9093");
        var (host, port) = HostPort.Parse(key, match.Groups["address"].Value);
        return new QuorumVoter(id, host, port);
    }

    [GeneratedRegex(@"^(?<id>[0-9]+)@(?<address>.+)$")]
    private static partial Regex Pattern();
}
