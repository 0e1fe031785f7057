using Broker.Controller;
using Broker.Hosting;

namespace Broker.Handlers;

/// <summary>
/// The RPCs only the active controller answers (broker and controller registration, heartbeats,
/// producer-id blocks): anywhere else, or when leadership moves while the change is in flight, the
/// sender gets NOT_CONTROLLER and looks up the new leader itself; these are never forwarded.
/// </summary>
public static class ControllerOnly
{
    public static async ValueTask<TResponse?> RunAsync<TOutcome, TResponse>(
        BrokerServices services, Func<Task<TOutcome>> run, Func<TOutcome, TResponse> respond, Func<TResponse> notController)
        where TResponse : class
    {
        if (!services.ActiveController.IsLocal)
            return notController();
        TOutcome outcome;
        try
        {
            outcome = await run().ConfigureAwait(false);
        }
        catch (ControllerUnavailableException)
        {
            return notController();
        }
        return respond(outcome);
    }
}
