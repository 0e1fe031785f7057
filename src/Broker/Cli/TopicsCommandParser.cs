using System.Globalization;
using Broker.Config;

namespace Broker.Cli;

/// <summary>Parses <c>topics ...</c> arguments with kafka-topics.sh's option names.</summary>
public static class TopicsCommandParser
{
    public const string Usage = """
        Usage: Broker topics <action> --bootstrap-server <host:port[,host:port]> [options]
          create        --topic <name> [--partitions <n>] [--replication-factor <n>] [--config <k=v>]... [--if-not-exists]
          list          [--exclude-internal]
          describe      [--topic <name>] [--exclude-internal]
                        [--under-replicated-partitions | --under-min-isr-partitions | --at-min-isr-partitions | --unavailable-partitions]
          delete        --topic <name> [--if-exists]
          alter         --topic <name> --partitions <n>         grow the topic to n partitions
          alter-config  --topic <name> [--add-config <k=v,k2=[a,b]>]... [--delete-config <k[,k2]>]...
        """;

    public static TopicsCommand Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
            throw new CliUsageException("topics: an action is required (create, list, describe, delete, alter, alter-config).");
        var action = args[0] switch
        {
            "create" or "--create" => TopicsAction.Create,
            "list" or "--list" => TopicsAction.List,
            "describe" or "--describe" => TopicsAction.Describe,
            "delete" or "--delete" => TopicsAction.Delete,
            "alter" or "--alter" => TopicsAction.Alter,
            "alter-config" => TopicsAction.AlterConfig,
            _ => throw new CliUsageException($"topics: unknown action '{args[0]}'."),
        };

        string? bootstrap = null, topic = null;
        int? partitions = null;
        short? replication = null;
        var configs = new List<KeyValuePair<string, string>>();
        var addConfigs = new List<KeyValuePair<string, string>>();
        var deleteConfigs = new List<string>();
        bool ifExists = false, ifNotExists = false, excludeInternal = false;
        var reports = new List<PartitionReport>();
        for (var i = 1; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--bootstrap-server":
                    bootstrap = Value(args, ref i);
                    break;
                case "--topic":
                    topic = Value(args, ref i);
                    break;
                case "--partitions":
                    partitions = Number<int>(args, ref i);
                    break;
                case "--replication-factor":
                    replication = Number<short>(args, ref i);
                    break;
                case "--config":
                    configs.Add(Pair(Value(args, ref i), "--config"));
                    break;
                case "--add-config":
                    addConfigs.AddRange(SplitConfigs(Value(args, ref i)));
                    break;
                case "--delete-config":
                    deleteConfigs.AddRange(Value(args, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "--if-exists":
                    ifExists = true;
                    break;
                case "--if-not-exists":
                    ifNotExists = true;
                    break;
                case "--exclude-internal":
                    excludeInternal = true;
                    break;
                case "--under-replicated-partitions":
                    reports.Add(PartitionReport.UnderReplicated);
                    break;
                case "--under-min-isr-partitions":
                    reports.Add(PartitionReport.UnderMinIsr);
                    break;
                case "--at-min-isr-partitions":
                    reports.Add(PartitionReport.AtMinIsr);
                    break;
                case "--unavailable-partitions":
                    reports.Add(PartitionReport.Unavailable);
                    break;
                default:
                    throw new CliUsageException($"topics: unexpected argument '{args[i]}'.");
            }
        }

        if (bootstrap is null)
            throw new CliUsageException("topics: --bootstrap-server <host:port> is required.");
        var servers = bootstrap.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => Address(s)).ToArray();
        if (topic is null && action is TopicsAction.Create or TopicsAction.Delete or TopicsAction.Alter or TopicsAction.AlterConfig)
            throw new CliUsageException($"topics {args[0]}: --topic <name> is required.");
        if (action == TopicsAction.Alter && partitions is null)
            throw new CliUsageException("topics alter: --partitions <n> is required.");
        if (action == TopicsAction.AlterConfig && addConfigs.Count == 0 && deleteConfigs.Count == 0)
            throw new CliUsageException("topics alter-config: give --add-config and/or --delete-config.");
        if (reports.Count > 1)
            throw new CliUsageException("topics describe: give at most one of --under-replicated-partitions, --under-min-isr-partitions, --at-min-isr-partitions, --unavailable-partitions.");
        if (reports.Count == 1 && action != TopicsAction.Describe)
            throw new CliUsageException($"topics {args[0]}: the partition report options go with describe only.");
        return new TopicsCommand(action, servers, topic, partitions, replication, configs, addConfigs, deleteConfigs, ifExists, ifNotExists, excludeInternal,
            reports.Count == 1 ? reports[0] : PartitionReport.All);
    }

    private static (string, int) Address(string text)
    {
        try
        {
            return HostPort.Parse("--bootstrap-server", text);
        }
        catch (ConfigException e)
        {
            throw new CliUsageException($"topics: {e.Message}");
        }
    }

    /// <summary>
    /// kafka-configs.sh syntax: comma-separated k=v pairs, where a list value goes in square
    /// brackets so its own commas do not split it (<c>cleanup.policy=[compact,delete]</c>).
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> SplitConfigs(string text)
    {
        var depth = 0;
        var start = 0;
        var parts = new List<string>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '[') depth++;
            else if (text[i] == ']') depth = Math.Max(0, depth - 1);
            else if (text[i] == ',' && depth == 0)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }
        parts.Add(text[start..]);
        foreach (var part in parts.Where(p => p.Trim().Length > 0))
        {
            var pair = Pair(part.Trim(), "--add-config");
            var value = pair.Value.StartsWith('[') && pair.Value.EndsWith(']') ? pair.Value[1..^1] : pair.Value;
            yield return new(pair.Key, value);
        }
    }

    private static KeyValuePair<string, string> Pair(string text, string option)
    {
        var equals = text.IndexOf('=');
        if (equals <= 0)
            throw new CliUsageException($"{option} expects key=value, got '{text}'.");
        return new(text[..equals].Trim(), text[(equals + 1)..].Trim());
    }

    private static T Number<T>(IReadOnlyList<string> args, ref int i) where T : System.Numerics.INumberBase<T>
    {
        var option = args[i];
        var text = Value(args, ref i);
        return T.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new CliUsageException($"{option} expects a number, got '{text}'.");
    }

    private static string Value(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 >= args.Count)
            throw new CliUsageException($"{args[i]} needs a value.");
        return args[++i];
    }
}
