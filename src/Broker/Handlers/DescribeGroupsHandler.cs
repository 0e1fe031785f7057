using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>DescribeGroups: state, protocol and members of each group; an unknown group is reported as Dead.</summary>
public sealed class DescribeGroupsHandler(BrokerServices services) : ApiHandler<DescribeGroupsRequest, DescribeGroupsResponse>
{
    public override ApiKey Key => ApiKey.DescribeGroups;

    protected override ValueTask<DescribeGroupsResponse?> HandleAsync(RequestContext context, DescribeGroupsRequest request, CancellationToken cancel)
    {
        var response = new DescribeGroupsResponse();
        foreach (var groupId in request.Groups)
            response.Groups.Add(services.Groups.Describe(groupId));
        return ValueTask.FromResult<DescribeGroupsResponse?>(response);
    }
}
