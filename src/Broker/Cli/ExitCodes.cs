namespace Broker.Cli;

public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Configuration or storage refused, or the node failed.</summary>
    public const int Failed = 1;

    /// <summary>The command line itself is malformed.</summary>
    public const int Usage = 2;
}
