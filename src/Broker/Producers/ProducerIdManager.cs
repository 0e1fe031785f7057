using Broker.Controller;
using Broker.Metadata;
using Broker.Protocol;

namespace Broker.Producers;

/// <summary>
/// Hands out producer ids for InitProducerId from a block the controller allocated to this broker,
/// asking for the next block when one runs out (Kafka's RPCProducerIdManager). This node's
/// controller is in-process, so the request is a call rather than an AllocateProducerIds RPC.
/// </summary>
public sealed class ProducerIdManager(QuorumController controller, MetadataCache metadata, int nodeId)
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
                var allocated = await controller.AllocateProducerIdsAsync(nodeId, epoch, cancel).ConfigureAwait(false);
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
}
