using System.Globalization;

namespace Broker.Config;

/// <summary>
/// A broker key that supplies the default of a topic key, with the conversion its unit needs
/// (log.roll.hours → segment.ms). Synonyms are tried in order; the first that is set wins.
/// </summary>
public sealed record ConfigSynonym(string BrokerName, Func<string, string>? Convert = null)
{
    public static ConfigSynonym Hours(string name) => new(name, v => Scale(v, 60L * 60 * 1000, negativeIsUnlimited: false));

    public static ConfigSynonym Minutes(string name) => new(name, v => Scale(v, 60L * 1000, negativeIsUnlimited: false));

    /// <summary>Kafka turns any negative retention into -1 (keep forever), whatever its unit.</summary>
    public static ConfigSynonym RetentionMillis(string name) => new(name, v => Scale(v, 1, negativeIsUnlimited: true));

    public static ConfigSynonym RetentionMinutes(string name) => new(name, v => Scale(v, 60L * 1000, negativeIsUnlimited: true));

    public static ConfigSynonym RetentionHours(string name) => new(name, v => Scale(v, 60L * 60 * 1000, negativeIsUnlimited: true));

    public string Apply(string brokerValue) => Convert is null ? brokerValue : Convert(brokerValue);

    private static string Scale(string value, long factor, bool negativeIsUnlimited)
    {
        var number = long.Parse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var scaled = negativeIsUnlimited && number < 0 ? -1 : checked(number * factor);
        return scaled.ToString(CultureInfo.InvariantCulture);
    }
}
