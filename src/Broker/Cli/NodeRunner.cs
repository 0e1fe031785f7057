using Broker.Config;
using Broker.Hosting;
using Broker.Storage;
using Microsoft.Extensions.Logging;

namespace Broker.Cli;

/// <summary>The start command: configuration, storage check, then the node until a stop signal.</summary>
public static class NodeRunner
{
    public static async Task<int> RunAsync(StartCommand start, IReadOnlyDictionary<string, string> environment, TextWriter error)
    {
        if (start.PropertiesFile is { } file && !File.Exists(file))
            throw new ConfigException("server.properties", file, "File not found");
        var config = BrokerConfigLoader.Load(new BrokerConfigSources
        {
            PropertiesFile = start.PropertiesFile,
            Environment = environment,
            Overrides = start.Overrides,
        });
        var clusterIdFromEnvironment = environment.GetValueOrDefault(KafkaEnvironment.ClusterIdVariable);
        var storage = StorageStartup.Prepare(config, new StorageStartOptions
        {
            AutoFormat = config.IsDevMode || clusterIdFromEnvironment is not null,
            ClusterId = clusterIdFromEnvironment,
            PropertiesFile = start.PropertiesFile,
        });

        using var loggerFactory = ConsoleLogging.Create();
        var logger = loggerFactory.CreateLogger("Broker");
        foreach (var key in config.UnknownKeys)
            logger.LogWarning("The configuration '{Key}' was supplied but isn't a known config", key);
        if (storage.NewlyFormatted.Count > 0)
            logger.LogInformation("Formatted {Directories} with cluster id {ClusterId}", string.Join(", ", storage.NewlyFormatted), storage.ClusterId);
        logger.LogInformation(
            "Node {NodeId} ({Roles}) of cluster {ClusterId}{Mode}: listening on {Listeners}; data in {LogDirs}; metadata in {MetadataDir}",
            config.NodeId, string.Join(",", config.GetList("process.roles")), storage.ClusterId, config.IsDevMode ? " in dev mode" : "",
            string.Join(", ", config.Listeners), string.Join(", ", storage.LogDirectories(config).Select(d => d.Path)),
            storage.MetadataDirectory.Path);

        using var shutdown = new ShutdownSignal();
        var node = new BrokerNode(config, storage, loggerFactory);
        try
        {
            await node.RunAsync(shutdown.Token).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (Operations.OperationsBindException e)
        {
            // A configuration problem, not a bug: the one line says what and how to fix it, no stack trace.
            logger.LogCritical("Node {NodeId} failed: {Reason}", config.NodeId, e.Message);
            error.WriteLine($"error: node failed: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (Exception e)
        {
            logger.LogCritical(e, "Node {NodeId} failed", config.NodeId);
            error.WriteLine($"error: node failed: {e.Message}");
            return ExitCodes.Failed;
        }
    }
}
