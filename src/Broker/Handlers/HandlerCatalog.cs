using Broker.Hosting;

namespace Broker.Handlers;

/// <summary>Every API handler this node serves. ApiVersions advertises exactly this list.</summary>
public static class HandlerCatalog
{
    public static IReadOnlyList<IApiHandler> Create(BrokerServices services, Func<RequestDispatcher> dispatcher) =>
    [
        new ApiVersionsHandler(dispatcher, services.Features),
        new MetadataHandler(services),
        new ProduceHandler(services),
        new FetchHandler(services),
        new ListOffsetsHandler(services),
        new CreateTopicsHandler(services),
    ];
}
