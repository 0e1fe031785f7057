namespace Broker.Cli;

/// <summary>
/// Parses the executable's arguments. Hand-written rather than a library because the grammar is
/// tiny and start-up time matters for a tool that is also run just to print an id.
/// </summary>
public static class CliParser
{
    public static CliCommand Parse(IReadOnlyList<string> args)
    {
        if (args.Count > 0 && args[0] is "-h" or "--help" or "help")
            return new HelpCommand();
        if (args.Count > 0 && args[0] == "random-uuid")
        {
            if (args.Count > 1)
                throw new CliUsageException($"random-uuid takes no arguments, got '{args[1]}'.");
            return new RandomUuidCommand();
        }
        if (args.Count > 0 && args[0] == "format")
            return ParseFormat(args.Skip(1).ToArray());
        if (args.Count > 0 && args[0] == "topics")
            return TopicsCommandParser.Parse(args.Skip(1).ToArray());
        if (args.Count > 0 && args[0] == "quorum")
            return QuorumCommand.Parse(args.Skip(1).ToArray());
        if (args.Count > 0 && args[0] == "log")
            return LogVerifyCommand.Parse(args.Skip(1).ToArray());
        if (args.Count > 0 && args[0] == "reassign")
            return ReassignCommand.Parse(args.Skip(1).ToArray());
        return ParseStart(args);
    }

    private static FormatCommand ParseFormat(IReadOnlyList<string> args)
    {
        string? clusterId = null;
        string? file = null;
        var ignoreFormatted = false;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "-t" or "--cluster-id":
                    clusterId = Value(args, ref i);
                    break;
                case "-c" or "--config":
                    file = Value(args, ref i);
                    break;
                case "-g" or "--ignore-formatted":
                    ignoreFormatted = true;
                    break;
                default:
                    throw new CliUsageException($"format: unexpected argument '{args[i]}'.");
            }
        }
        if (clusterId is null)
            throw new CliUsageException("format: -t <cluster-id> is required (get one with 'random-uuid').");
        if (file is null)
            throw new CliUsageException("format: -c <server.properties> is required.");
        return new FormatCommand(clusterId, file, ignoreFormatted);
    }

    private static StartCommand ParseStart(IReadOnlyList<string> args)
    {
        string? file = null;
        var overrides = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--override")
            {
                var pair = Value(args, ref i);
                var equals = pair.IndexOf('=');
                if (equals <= 0)
                    throw new CliUsageException($"--override expects key=value, got '{pair}'.");
                overrides.Add(new(pair[..equals], pair[(equals + 1)..]));
            }
            else if (arg.StartsWith('-'))
                throw new CliUsageException($"Unknown option '{arg}'.");
            else if (file is null)
                file = arg;
            else
                throw new CliUsageException($"Only one properties file may be given; got '{file}' and '{arg}'.");
        }
        return new StartCommand(file, overrides);
    }

    private static string Value(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 >= args.Count)
            throw new CliUsageException($"{args[i]} needs a value.");
        return args[++i];
    }

    public const string Usage = """
        Usage:
          Broker                                      start a zero-config dev node (localhost:9092, data in ./data)
          Broker <server.properties> [--override key=value]...
                                                      start a node; KAFKA_* variables and overrides apply on top
          Broker random-uuid                          print a new cluster id
          Broker format -t <cluster-id> -c <server.properties> [--ignore-formatted]
                                                      write meta.properties into every log dir and the metadata dir
          Broker topics create|list|describe|delete|alter|alter-config --bootstrap-server <host:port> ...
                                                      manage topics of a running cluster, like kafka-topics.sh
          Broker reassign --generate|--execute|--verify|--cancel --bootstrap-server <host:port> ...
                                                      move partitions between brokers, like kafka-reassign-partitions.sh
          Broker quorum describe [--status|--replication] --bootstrap-server|--bootstrap-controller <host:port>
                                                      the metadata quorum, like kafka-metadata-quorum.sh
          Broker log verify <log dir>...              decode every stored batch and record offline; exit 1 if any does not
        """;
}
