namespace Broker.Cli;

/// <summary>What <c>reassign</c> was asked to do, as kafka-reassign-partitions.sh's actions.</summary>
public enum ReassignAction
{
    Generate,
    Execute,
    Verify,
    Cancel,
}

/// <summary>
/// <c>reassign --generate|--execute|--verify|--cancel --bootstrap-server host:port ...</c>, parsed.
/// <paramref name="JsonFile"/> is the topics-to-move file for --generate, the reassignment file otherwise.
/// </summary>
public sealed record ReassignCommand(
    ReassignAction Action, IReadOnlyList<(string Host, int Port)> BootstrapServers, string JsonFile, IReadOnlyList<int> BrokerList) : CliCommand
{
    public const string Usage = """
        Usage: Broker reassign <action> --bootstrap-server <host:port[,host:port]> [options]
          --generate --topics-to-move-json-file <file> --broker-list <id,id,...>
                                  print the current assignment and a proposed one over the brokers given
          --execute  --reassignment-json-file <file>   start the moves; prints the current assignment for rollback
          --verify   --reassignment-json-file <file>   say which moves are completed or still in progress
          --cancel   --reassignment-json-file <file>   cancel the moves in progress
        Files use Kafka's JSON: {"version":1,"topics":[{"topic":"t"}]} and
        {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2]}]}.
        """;

    public static ReassignCommand Parse(IReadOnlyList<string> args)
    {
        var actions = new List<ReassignAction>();
        string? bootstrap = null, topicsFile = null, reassignmentFile = null, brokers = null;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new CliUsageException($"reassign: {args[i]} needs a value.");
            switch (args[i])
            {
                case "--generate": actions.Add(ReassignAction.Generate); break;
                case "--execute": actions.Add(ReassignAction.Execute); break;
                case "--verify": actions.Add(ReassignAction.Verify); break;
                case "--cancel": actions.Add(ReassignAction.Cancel); break;
                case "--bootstrap-server": bootstrap = Value(); break;
                case "--topics-to-move-json-file": topicsFile = Value(); break;
                case "--reassignment-json-file": reassignmentFile = Value(); break;
                case "--broker-list": brokers = Value(); break;
                default: throw new CliUsageException($"reassign: unexpected argument '{args[i]}'.");
            }
        }
        if (actions.Count != 1)
            throw new CliUsageException("reassign: give exactly one of --generate, --execute, --verify, --cancel.");
        if (bootstrap is null)
            throw new CliUsageException("reassign: --bootstrap-server <host:port> is required.");
        var servers = bootstrap.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
        {
            try
            {
                return Config.HostPort.Parse("--bootstrap-server", s);
            }
            catch (Config.ConfigException e)
            {
                throw new CliUsageException($"reassign: {e.Message}");
            }
        }).ToArray();
        var action = actions[0];
        if (action == ReassignAction.Generate)
        {
            if (topicsFile is null || brokers is null)
                throw new CliUsageException("reassign --generate: --topics-to-move-json-file and --broker-list are required.");
            var ids = brokers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(b => int.TryParse(b, out var id) && id >= 0 ? id : throw new CliUsageException($"reassign: '{b}' is not a broker id.")).ToArray();
            return new ReassignCommand(action, servers, topicsFile, ids);
        }
        if (reassignmentFile is null)
            throw new CliUsageException($"reassign --{action.ToString().ToLowerInvariant()}: --reassignment-json-file is required.");
        return new ReassignCommand(action, servers, reassignmentFile, []);
    }
}
