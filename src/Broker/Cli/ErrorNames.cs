using System.Text;
using Broker.Protocol;

namespace Broker.Cli;

/// <summary>Kafka's names for error codes (UNKNOWN_TOPIC_OR_PARTITION), as the Java tools print them.</summary>
public static class ErrorNames
{
    public static string Of(short code)
    {
        var error = (ErrorCode)code;
        if (!Enum.IsDefined(error))
            return $"error code {code}";
        var name = error.ToString();
        var text = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
                text.Append('_');
            text.Append(char.ToUpperInvariant(name[i]));
        }
        return text.ToString();
    }

    /// <summary>The broker's message when it sent one, else the error's name.</summary>
    public static string Describe(short code, string? message) =>
        string.IsNullOrEmpty(message) ? Of(code) : $"{Of(code)}: {message}";
}
