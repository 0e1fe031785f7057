using System.Text.RegularExpressions;

namespace Broker.Controller;

/// <summary>Kafka's rules for topic names.</summary>
public static partial class TopicNames
{
    public const int MaxLength = 249;

    /// <summary>Null when the name is legal, else the reason, worded for an INVALID_TOPIC_EXCEPTION message.</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return "Topic name is illegal, it can't be empty";
        if (name is "." or "..")
            return "Topic name cannot be \".\" or \"..\"";
        if (name.Length > MaxLength)
            return $"Topic name is illegal, it can't be longer than {MaxLength} characters, topic name: {name}";
        if (!Legal().IsMatch(name))
            return $"Topic name \"{name}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'";
        return null;
    }

    [GeneratedRegex("^[a-zA-Z0-9._-]+$")]
    private static partial Regex Legal();
}
