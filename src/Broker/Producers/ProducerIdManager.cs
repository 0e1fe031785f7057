using Broker.Controller;
using Broker.Metadata;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Producers;

/// <summary>
/// Hands out producer ids for InitProducerId from a block the controller allocated to this broker,
/// asking for the next block when one runs out (Kafka's RPCProducerIdManager). When this node is
/// the active controller the request is a call; otherwise it is an AllocateProducerIds RPC to the
/// active controller's controller listener.
/// </summary>
public sealed class ProducerIdManager(QuorumController controller, IActiveController active, Func<ControllerChannel?> channel, MetadataCache metadata, int nodeId)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ProducerIdBlock _block;
    private long _next;

    public async ValueTask<(ErrorCode Error, long ProducerId)> NextAsync(CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            if (_next >= _block.End)
            {
                var epoch = metadata.Current.Brokers.GetValueOrDefault(nodeId)?.Epoch ?? -1;
                var allocated = await AllocateAsync(epoch, cancel).ConfigureAwait(false);
                if (allocated.Error != ErrorCode.None)
                    return (allocated.Error, -1);
                _block = allocated.Block;
                _next = _block.Start;
            }
            return (ErrorCode.None, _next++);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ProducerIdAllocationResult> AllocateAsync(long brokerEpoch, CancellationToken cancel)
    {
        try
        {
            if (active.IsLocal)
                return await controller.AllocateProducerIdsAsync(nodeId, brokerEpoch, cancel).ConfigureAwait(false);
            if (channel() is not { } remote)
                return new(ErrorCode.NotController, "No channel to the active controller.", default);
            var response = await remote.SendAsync<AllocateProducerIdsResponse>(
                new AllocateProducerIdsRequest { BrokerId = nodeId, BrokerEpoch = brokerEpoch }, cancel).ConfigureAwait(false);
            return response.ErrorCode != 0
                ? new((ErrorCode)response.ErrorCode, null, default)
                : new(ErrorCode.None, null, new ProducerIdBlock(response.ProducerIdStart, response.ProducerIdLen));
        }
        catch (ControllerUnavailableException e)
        {
            // InitProducerId answers a retriable error; the client tries again once a controller is reachable.
            return new(ErrorCode.NotController, e.Message, default);
        }
    }
}
