namespace Broker.Cli;

/// <summary>A parsed command line.</summary>
public abstract record CliCommand;

public sealed record HelpCommand : CliCommand;

public sealed record RandomUuidCommand : CliCommand;

public sealed record FormatCommand(string ClusterId, string PropertiesFile, bool IgnoreFormatted) : CliCommand;

/// <summary>Start the node; no file and no KAFKA_* variable means the zero-config dev node.</summary>
public sealed record StartCommand(string? PropertiesFile, IReadOnlyList<KeyValuePair<string, string>> Overrides) : CliCommand;

/// <summary>The command line is malformed; the message says how.</summary>
public sealed class CliUsageException(string message) : Exception(message);
