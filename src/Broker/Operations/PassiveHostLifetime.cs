using Microsoft.Extensions.Hosting;

namespace Broker.Operations;

/// <summary>A host lifetime that neither waits for nor listens to anything: the broker starts and stops the endpoint.</summary>
internal sealed class PassiveHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
