using Microsoft.Extensions.Logging;

namespace Broker.Operations;

/// <summary>Hands the web host's loggers to the broker's logger factory, so Kestrel's warnings look like the broker's other lines.</summary>
internal sealed class ForwardingLoggerProvider(ILoggerFactory factory) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

    public void Dispose()
    {
        // The factory belongs to the broker.
    }
}
