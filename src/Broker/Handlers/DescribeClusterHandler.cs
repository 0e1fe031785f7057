using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>
/// DescribeCluster: the cluster id and the live brokers reachable on the listener the client used.
/// A request that arrives on a controller listener is answered as a controller would (KIP-919):
/// with the quorum's controllers, for clients that bootstrap from controllers.
/// </summary>
public sealed class DescribeClusterHandler(BrokerServices services) : ApiHandler<DescribeClusterRequest, DescribeClusterResponse>
{
    public const sbyte BrokerEndpoints = 1, ControllerEndpoints = 2;

    /// <summary>Without an authorizer every cluster operation is allowed: ALTER, ALTER_CONFIGS, CLUSTER_ACTION, CREATE, DESCRIBE, DESCRIBE_CONFIGS, IDEMPOTENT_WRITE.</summary>
    private const int AllClusterOperations = (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);

    public override ApiKey Key => ApiKey.DescribeCluster;

    protected override ValueTask<DescribeClusterResponse?> HandleAsync(RequestContext context, DescribeClusterRequest request, CancellationToken cancel)
    {
        var image = services.Metadata.Current;
        var onController = services.Config.ControllerListenerNames.Contains(context.ListenerName, StringComparer.OrdinalIgnoreCase);
        var served = onController ? ControllerEndpoints : BrokerEndpoints;
        var response = new DescribeClusterResponse { EndpointType = request.EndpointType, ClusterId = image.ClusterId };
        if (request.EndpointType is not (BrokerEndpoints or ControllerEndpoints))
            return Error(response, ErrorCode.UnsupportedEndpointType, $"Unsupported endpoint type {request.EndpointType}");
        if (request.EndpointType != served)
            return Error(response, ErrorCode.MismatchedEndpointType,
                $"The request was sent to an endpoint of type {Name(served)}, but we wanted an endpoint of type {Name(request.EndpointType)}");

        response.ControllerId = services.NodeId;
        if (request.IncludeClusterAuthorizedOperations)
            response.ClusterAuthorizedOperations = AllClusterOperations;
        if (onController)
        {
            foreach (var voter in services.Config.QuorumVoters.OrderBy(v => v.NodeId))
                response.Brokers.Add(new DescribeClusterResponse.DescribeClusterBroker
                {
                    BrokerId = voter.NodeId, Host = voter.Host, Port = voter.Port,
                    Rack = voter.NodeId == services.NodeId ? services.Config.BrokerRack : null,
                });
            return ValueTask.FromResult<DescribeClusterResponse?>(response);
        }
        foreach (var broker in image.Brokers.Values.Where(b => !b.Fenced).OrderBy(b => b.Id))
        {
            if (broker.Endpoint(context.ListenerName) is not { } endpoint)
                continue;
            response.Brokers.Add(new DescribeClusterResponse.DescribeClusterBroker
            {
                BrokerId = broker.Id, Host = endpoint.Host, Port = endpoint.Port, Rack = broker.Rack,
            });
        }
        return ValueTask.FromResult<DescribeClusterResponse?>(response);
    }

    private static string Name(sbyte endpointType) => endpointType == ControllerEndpoints ? "CONTROLLER" : "BROKER";

    private static ValueTask<DescribeClusterResponse?> Error(DescribeClusterResponse response, ErrorCode error, string message)
    {
        response.ErrorCode = (short)error;
        response.ErrorMessage = message;
        return ValueTask.FromResult<DescribeClusterResponse?>(response);
    }
}
