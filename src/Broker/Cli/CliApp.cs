using Broker.Config;
using Broker.Storage;

namespace Broker.Cli;

/// <summary>Runs one command line and maps refusals to an exit code and a message on stderr.</summary>
public static class CliApp
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, TextWriter output, TextWriter error)
    {
        try
        {
            switch (CliParser.Parse(args))
            {
                case HelpCommand:
                    output.WriteLine(CliParser.Usage);
                    return ExitCodes.Ok;
                case RandomUuidCommand:
                    output.WriteLine(ClusterId.Generate());
                    return ExitCodes.Ok;
                case FormatCommand format:
                    RunFormat(format, environment, output);
                    return ExitCodes.Ok;
                case TopicsCommand topics:
                    return await TopicsTool.RunAsync(topics, output, error).ConfigureAwait(false);
                case ReassignCommand reassign:
                    return await ReassignTool.RunAsync(reassign, output, error).ConfigureAwait(false);
                case QuorumCommand quorum:
                    return await QuorumTool.RunAsync(quorum, output, error).ConfigureAwait(false);
                case LogVerifyCommand verify:
                    return verify.Run(output);
                case StartCommand start:
                    return await NodeRunner.RunAsync(start, environment, error).ConfigureAwait(false);
                default:
                    throw new InvalidOperationException("Unhandled command.");
            }
        }
        catch (CliUsageException e)
        {
            error.WriteLine($"error: {e.Message}");
            error.WriteLine(args.Count > 0 && args[0] == "topics" ? TopicsCommandParser.Usage
                : args.Count > 0 && args[0] == "quorum" ? QuorumCommand.Usage
                : args.Count > 0 && args[0] == "log" ? LogVerifyCommand.Usage
                : args.Count > 0 && args[0] == "reassign" ? ReassignCommand.Usage : CliParser.Usage);
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is ConfigException or StorageException)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A log directory that cannot be created or read: the OS message names the path.
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>
    /// Format reads the same layers as start (file, KAFKA_* variables) so a container that is
    /// configured by environment formats the directories it will then use.
    /// </summary>
    private static void RunFormat(FormatCommand format, IReadOnlyDictionary<string, string> environment, TextWriter output)
    {
        if (!File.Exists(format.PropertiesFile))
            throw new ConfigException("server.properties", format.PropertiesFile, "File not found");
        var config = BrokerConfigLoader.Load(new BrokerConfigSources
        {
            PropertiesFile = format.PropertiesFile,
            Environment = environment,
        });
        StorageFormatter.Format(config, format.ClusterId, format.IgnoreFormatted, output);
    }
}
