using System.Globalization;

namespace Broker.Log;

/// <summary>
/// <c>.kafka_cleanshutdown</c> in a log directory: present only between an orderly close and the
/// next open, telling that open every segment was flushed and its indexes trimmed, so recovery
/// can be skipped. The content is Kafka's: <c>{"version":0,"brokerEpoch":N}</c>.
/// </summary>
public static class CleanShutdownFile
{
    public static string PathIn(string logDirectory) => Path.Combine(logDirectory, LogFileNames.CleanShutdown);

    public static bool Exists(string logDirectory) => File.Exists(PathIn(logDirectory));

    public static void Write(string logDirectory, long brokerEpoch = -1) =>
        CheckpointText.WriteAtomically(PathIn(logDirectory),
            string.Create(CultureInfo.InvariantCulture, $"{{\"version\":0,\"brokerEpoch\":{brokerEpoch}}}"));

    public static void Delete(string logDirectory) => File.Delete(PathIn(logDirectory));
}
