using Broker.Config;

namespace Broker.Cli;

/// <summary><c>quorum describe [--status|--replication] --bootstrap-server|--bootstrap-controller host:port</c>, parsed (kafka-metadata-quorum's options).</summary>
public sealed record QuorumCommand(bool Replication, IReadOnlyList<(string Host, int Port)> Servers) : CliCommand
{
    public const string Usage = """
        Usage: Broker quorum describe [--status | --replication] (--bootstrap-server | --bootstrap-controller) <host:port[,host:port]>
          --status        leader, epoch, high watermark, follower lag, voters and observers (the default)
          --replication   one line per voter and observer: log end offset, lag, fetch times and status
        """;

    public static QuorumCommand Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0] != "describe")
            throw new CliUsageException("quorum: the only action is 'describe'.");
        bool? replication = null;
        string? servers = null;
        for (var i = 1; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--status" or "--replication":
                    if (replication is not null)
                        throw new CliUsageException("quorum describe: give one of --status and --replication.");
                    replication = args[i] == "--replication";
                    break;
                case "--bootstrap-server" or "--bootstrap-controller":
                    if (i + 1 >= args.Count)
                        throw new CliUsageException($"{args[i]} needs a value.");
                    servers = args[++i];
                    break;
                default:
                    throw new CliUsageException($"quorum describe: unexpected argument '{args[i]}'.");
            }
        }
        if (servers is null)
            throw new CliUsageException("quorum describe: --bootstrap-server or --bootstrap-controller <host:port> is required.");
        try
        {
            return new QuorumCommand(replication ?? false, servers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => HostPort.Parse("--bootstrap-server", s)).ToArray());
        }
        catch (ConfigException e)
        {
            throw new CliUsageException($"quorum: {e.Message}");
        }
    }
}
