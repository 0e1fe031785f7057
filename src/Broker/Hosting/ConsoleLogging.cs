using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Broker.Hosting;

/// <summary>One line per event on standard output, which is what containers and test harnesses collect.</summary>
public static class ConsoleLogging
{
    public static ILoggerFactory Create(LogLevel minimum = LogLevel.Information) =>
        LoggerFactory.Create(builder => builder
            .SetMinimumLevel(minimum)
            .AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                options.ColorBehavior = LoggerColorBehavior.Disabled;
            }));
}
