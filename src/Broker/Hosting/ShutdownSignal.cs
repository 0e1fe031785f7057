using System.Runtime.InteropServices;

namespace Broker.Hosting;

/// <summary>
/// Turns SIGTERM (container stop, kill) and SIGINT (Ctrl-C) into a cancellation so the node can
/// stop gracefully. A second signal is left to the runtime's default and ends the process, for
/// when a graceful stop hangs.
/// </summary>
public sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly PosixSignalRegistration[] _registrations;

    public ShutdownSignal()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
        ];
    }

    public CancellationToken Token => _stopping.Token;

    private void OnSignal(PosixSignalContext context)
    {
        if (_stopping.IsCancellationRequested)
            return;
        context.Cancel = true;
        _stopping.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
        _stopping.Dispose();
    }
}
