using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Wire;

namespace Broker.Handlers;

/// <summary>Serves one Kafka API. A null response means none is sent (a Produce with acks=0).</summary>
public interface IApiHandler
{
    ApiKey Key { get; }

    /// <summary>Versions served; by default all the definitions declare.</summary>
    short LowestVersion => ApiMessages.All.First(a => a.Key == Key).LowestVersion;

    ValueTask<IApiMessage?> HandleAsync(RequestContext context, IApiMessage request, CancellationToken cancel);
}

/// <summary>Typed base: one subclass per API, each in its own file.</summary>
public abstract class ApiHandler<TRequest, TResponse> : IApiHandler
    where TRequest : class, IApiMessage
    where TResponse : class, IApiMessage
{
    public abstract ApiKey Key { get; }

    public async ValueTask<IApiMessage?> HandleAsync(RequestContext context, IApiMessage request, CancellationToken cancel) =>
        await HandleAsync(context, (TRequest)request, cancel).ConfigureAwait(false);

    protected abstract ValueTask<TResponse?> HandleAsync(RequestContext context, TRequest request, CancellationToken cancel);
}
