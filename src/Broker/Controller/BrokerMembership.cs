using Broker.Handlers;
using Broker.Metadata;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.MetadataRecords;
using Broker.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Broker.Controller;

/// <summary>What the controller answers a broker heartbeat with.</summary>
public readonly record struct HeartbeatOutcome(ErrorCode Error, bool IsCaughtUp, bool IsFenced, bool ShouldShutDown);

/// <summary>The connection a heartbeat came on: its id, and a token cancelled when it closes.</summary>
public readonly record struct HeartbeatConnection(long Id, CancellationToken Closed);

/// <summary>
/// The brokers' side of the active controller: registration (incarnation id, broker epoch = offset
/// of the RegisterBrokerRecord), heartbeats that fence, unfence and shut brokers down, session
/// expiry and unregistration. Every decision runs in the controller's single-writer loop against the
/// image it changes, and partition leadership follows each change of a broker's state.
/// </summary>
public sealed class BrokerMembership
{
    private readonly QuorumController _controller;
    private readonly ILogger _logger;

    internal BrokerMembership(QuorumController controller, BrokerSessions sessions, ILogger logger)
    {
        _controller = controller;
        Sessions = sessions;
        _logger = logger;
    }

    public BrokerSessions Sessions { get; }

    /// <summary>The controller these brokers belong to (the ticker drives its other periodic work through it).</summary>
    internal QuorumController Controller => _controller;

    /// <summary>The controller became active: registered, unfenced brokers now have one session timeout to heartbeat.</summary>
    public void Activate(MetadataImage image) => Sessions.Activate(image.Brokers.Values.Where(b => !b.Fenced).Select(b => b.Id));

    public Task<(ErrorCode Error, string? Message, long BrokerEpoch)> RegisterAsync(BrokerRegistrationRequest request, CancellationToken cancel) =>
        _controller.RunAsync(image =>
        {
            var records = new List<VersionedRecord>();
            if (Refusal(image, request) is { } refused)
            {
                _logger.LogWarning("Refusing registration of broker {Broker}: {Reason}", request.BrokerId, refused.Message);
                return (records, (refused.Error, (string?)refused.Message, -1L));
            }
            var epoch = image.Offset + 1;
            var record = new RegisterBrokerRecord
            {
                BrokerId = request.BrokerId,
                IncarnationId = request.IncarnationId,
                BrokerEpoch = epoch,
                Rack = request.Rack,
                Fenced = true,
            };
            record.LogDirs.AddRange(request.LogDirs);
            foreach (var l in request.Listeners)
                record.EndPoints.Add(new RegisterBrokerRecord.BrokerEndpoint { Name = l.Name, Host = l.Host, Port = l.Port, SecurityProtocol = l.SecurityProtocol });
            foreach (var f in request.Features)
                record.Features.Add(new RegisterBrokerRecord.BrokerFeature { Name = f.Name, MinSupportedVersion = f.MinSupportedVersion, MaxSupportedVersion = f.MaxSupportedVersion });
            records.Add(VersionedRecord.Latest(record));
            Sessions.Forget(request.BrokerId);
            _logger.LogInformation("Registered broker {Broker} (incarnation {Incarnation}) with epoch {Epoch}, rack {Rack}",
                request.BrokerId, request.IncarnationId, epoch, request.Rack ?? "none");
            return (records, (ErrorCode.None, (string?)null, epoch));
        }, cancel);

    private (ErrorCode Error, string Message)? Refusal(MetadataImage image, BrokerRegistrationRequest request)
    {
        if (request.ClusterId != image.ClusterId)
            return (ErrorCode.InconsistentClusterId,
                $"Expected cluster ID {image.ClusterId}, but got cluster ID {request.ClusterId}");
        if (request.BrokerId < 0)
            return (ErrorCode.InvalidRequest, $"Invalid broker id {request.BrokerId}");
        var level = image.Features.GetValueOrDefault(FeatureLevels.MetadataVersion, FeatureLevels.LatestMetadataVersion);
        var supported = request.Features.FirstOrDefault(f => f.Name == FeatureLevels.MetadataVersion);
        if (supported is null || level < supported.MinSupportedVersion || level > supported.MaxSupportedVersion)
            return (ErrorCode.UnsupportedVersion,
                $"Unable to register because the broker does not support finalized version {level} of {FeatureLevels.MetadataVersion}. " +
                (supported is null ? "The broker did not declare a supported range." : $"The broker wants a version between {supported.MinSupportedVersion} and {supported.MaxSupportedVersion}, inclusive."));
        if (image.Brokers.TryGetValue(request.BrokerId, out var existing)
            && existing.IncarnationId != request.IncarnationId
            && Sessions.IsAlive(request.BrokerId)
            && request.PreviousBrokerEpoch != existing.Epoch)
            return (ErrorCode.DuplicateBrokerRegistration, "Another broker is registered with that broker id.");
        return null;
    }

    public Task<HeartbeatOutcome> HeartbeatAsync(BrokerHeartbeatRequest request, CancellationToken cancel, HeartbeatConnection connection = default) =>
        _controller.RunAsync(image =>
        {
            var records = new List<VersionedRecord>();
            if (!image.Brokers.TryGetValue(request.BrokerId, out var broker))
                return (records, new HeartbeatOutcome(ErrorCode.BrokerIdNotRegistered, false, true, false));
            if (request.BrokerEpoch != broker.Epoch)
                return (records, new HeartbeatOutcome(ErrorCode.StaleBrokerEpoch, false, broker.Fenced, false));
            var shuttingDown = request.WantShutDown || broker.InControlledShutdown;
            if (Sessions.Touch(broker.Id, connection.Closed.CanBeCanceled ? connection.Id : -1, shuttingDown))
                connection.Closed.Register(() => OnHeartbeatConnectionClosed(broker.Id, connection.Id));
            var newlyOffline = request.OfflineLogDirs.Where(d => broker.LogDirs.Contains(d) && !broker.OfflineLogDirs.Contains(d)).ToArray();
            if (newlyOffline.Length > 0)
                records.AddRange(LogDirsOffline(image, broker, newlyOffline));
            var storageFailed = newlyOffline.Length > 0 || broker.OfflineLogDirs.Count > 0;
            var caughtUp = request.CurrentMetadataOffset >= broker.Epoch;
            var fenced = broker.Fenced;
            var shouldShutDown = false;
            if (broker.Fenced)
            {
                if (request.WantShutDown)
                    shouldShutDown = true;
                else if (!request.WantFence && caughtUp)
                {
                    records.Add(RegistrationChange(broker, fenced: false));
                    records.AddRange(PartitionLeadership.ElectLeaderless(image, id => (id == broker.Id && !storageFailed) || Usable(image, id), Unclean(image))
                        .Select(VersionedRecord.Latest));
                    fenced = false;
                    _logger.LogInformation("Unfenced broker {Broker} (epoch {Epoch})", broker.Id, broker.Epoch);
                }
            }
            else if (request.WantFence)
            {
                records.AddRange(Fence(image, broker, "it asked to be fenced"));
                fenced = true;
            }
            else if (request.WantShutDown)
                shouldShutDown = ControlledShutdown(image, broker, request.CurrentMetadataOffset, records);
            return (records, new HeartbeatOutcome(ErrorCode.None, caughtUp, fenced, shouldShutDown));
        }, cancel);

    /// <summary>
    /// A heartbeat asking to shut down: the broker is marked in controlled shutdown (it can no longer
    /// lead nor join an ISR), its leaderships and ISR memberships move to other usable replicas, and
    /// it may stop once its own metadata has caught up with those moves (Kafka's controlled-shutdown
    /// offset). A partition with no other in-sync replica keeps it as leader: moving it would only
    /// make the partition unavailable until the same broker returns.
    /// </summary>
    private bool ControlledShutdown(MetadataImage image, BrokerImage broker, long brokerOffset, List<VersionedRecord> records)
    {
        if (!broker.InControlledShutdown)
        {
            _logger.LogInformation("Broker {Broker} is shutting down: moving its leaderships away", broker.Id);
            records.Add(VersionedRecord.Latest(new BrokerRegistrationChangeRecord
            {
                BrokerId = broker.Id, BrokerEpoch = broker.Epoch, InControlledShutdown = 1,
            }));
        }
        records.AddRange(PartitionLeadership.MoveAway(image, broker.Id, id => id != broker.Id && Usable(image, id),
            keepLeaderWithoutSuccessor: true, unclean: _ => false).Select(VersionedRecord.Latest));
        if (records.Count > 0)
        {
            // Committed with this heartbeat; the broker must see them before it goes.
            Sessions.SetControlledShutdownOffset(broker.Id, null);
            return false;
        }
        // Nothing left to move: the image holds every move, so its offset is where the broker must be.
        var offset = Sessions.ControlledShutdownOffset(broker.Id) ?? image.Offset;
        Sessions.SetControlledShutdownOffset(broker.Id, offset);
        return brokerOffset >= offset;
    }

    /// <summary>
    /// A broker's heartbeat connection closed (killed, or its host gone): unless it heartbeats again
    /// within the grace, it is fenced then rather than a whole session timeout later.
    /// </summary>
    private void OnHeartbeatConnectionClosed(int brokerId, long connectionId)
    {
        if (!Sessions.ConnectionClosed(brokerId, connectionId))
            return;
        var grace = Sessions.ConnectionLossGrace;
        _logger.LogInformation("Broker {Broker}'s heartbeat connection closed: fencing it unless it heartbeats again within {Grace} ms",
            brokerId, grace.TotalMilliseconds);
        _ = FenceAfterAsync(grace);
    }

    private async Task FenceAfterAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, Sessions.Clock).ConfigureAwait(false);
            await FenceExpiredAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Not active any more, or stopping: the ticker of whoever is active fences by the deadline anyway.
            _logger.LogDebug("Fencing after a closed heartbeat connection skipped: {Error}", e.Message);
        }
    }

    /// <summary>
    /// The broker's heartbeat reported log directories failed (KIP-858). Its replicas are offline:
    /// the directories still online are recorded, and leadership and ISR membership move to other
    /// in-sync replicas (a partition with none is left without a leader, as when a broker is fenced).
    /// The broker stays registered and unfenced; it is usable again once it registers anew.
    /// This controller does not record which directory holds each replica, so a failed directory
    /// takes every replica of the broker offline, not only that directory's.
    /// </summary>
    private IEnumerable<VersionedRecord> LogDirsOffline(MetadataImage image, BrokerImage broker, Uuid[] newlyOffline)
    {
        _logger.LogWarning("Broker {Broker} reported log directories {Dirs} offline: moving its leaderships and ISR memberships to other replicas",
            broker.Id, string.Join(", ", newlyOffline));
        yield return VersionedRecord.Latest(new BrokerRegistrationChangeRecord
        {
            BrokerId = broker.Id, BrokerEpoch = broker.Epoch, LogDirs = broker.OnlineLogDirsRecordValue(broker.OfflineLogDirs.Concat(newlyOffline)),
        });
        foreach (var change in PartitionLeadership.MoveAway(image, broker.Id, id => id != broker.Id && Usable(image, id),
                     keepLeaderWithoutSuccessor: false, Unclean(image)))
            yield return VersionedRecord.Latest(change);
    }

    /// <summary>Fences every unfenced broker whose session ran out; the ticker calls this periodically, tests after moving the clock.</summary>
    public async Task<IReadOnlyList<int>> FenceExpiredAsync(CancellationToken cancel)
    {
        var fenced = new List<int>();
        while (true)
        {
            var next = await _controller.RunAsync(image =>
            {
                var records = new List<VersionedRecord>();
                var expired = Sessions.Expired(image.Brokers.Values.Where(b => !b.Fenced).Select(b => b.Id).Order()).FirstOrDefault(-1);
                if (expired != -1)
                    records.AddRange(Fence(image, image.Brokers[expired], Sessions.EndsByConnectionLoss(expired)
                        ? $"its heartbeat connection closed and it did not heartbeat again within {Sessions.ConnectionLossGrace.TotalMilliseconds:0} ms"
                        : $"its session expired (no heartbeat for {Sessions.SessionTimeout.TotalMilliseconds:0} ms)"));
                return (records, expired);
            }, cancel).ConfigureAwait(false);
            if (next == -1)
                return fenced;
            fenced.Add(next);
        }
    }

    public Task<(ErrorCode Error, string? Message)> UnregisterAsync(int brokerId, CancellationToken cancel) =>
        _controller.RunAsync(image =>
        {
            var records = new List<VersionedRecord>();
            if (!image.Brokers.TryGetValue(brokerId, out var broker))
                return (records, (ErrorCode.BrokerIdNotRegistered, (string?)$"Broker ID {brokerId} is not currently registered"));
            records.AddRange(PartitionLeadership.MoveAway(image, brokerId, id => id != brokerId && Usable(image, id),
                keepLeaderWithoutSuccessor: false, Unclean(image)).Select(VersionedRecord.Latest));
            records.Add(VersionedRecord.Latest(new UnregisterBrokerRecord { BrokerId = brokerId, BrokerEpoch = broker.Epoch }));
            Sessions.Forget(brokerId);
            _logger.LogInformation("Unregistered broker {Broker}", brokerId);
            return (records, (ErrorCode.None, (string?)null));
        }, cancel);

    private IEnumerable<VersionedRecord> Fence(MetadataImage image, BrokerImage broker, string why)
    {
        _logger.LogWarning("Fencing broker {Broker} (epoch {Epoch}): {Reason}", broker.Id, broker.Epoch, why);
        yield return RegistrationChange(broker, fenced: true);
        foreach (var change in PartitionLeadership.MoveAway(image, broker.Id, id => id != broker.Id && Usable(image, id),
                     keepLeaderWithoutSuccessor: false, Unclean(image)))
            yield return VersionedRecord.Latest(change);
    }

    /// <summary>Where new replicas may go: registered, unfenced brokers that are not shutting down.</summary>
    public IReadOnlyList<BrokerImage> PlacementCandidates(MetadataImage image) =>
        image.Brokers.Values.Where(b => Usable(image, b.Id)).OrderBy(b => b.Id).ToArray();

    private static bool Usable(MetadataImage image, int brokerId) => PartitionLeadership.Usable(image, brokerId);

    private Func<string, bool> Unclean(MetadataImage image) => topic => PartitionLeadership.UncleanAllowed(image, _controller.Config, topic);

    private static VersionedRecord RegistrationChange(BrokerImage broker, bool fenced) =>
        VersionedRecord.Latest(new BrokerRegistrationChangeRecord
        {
            BrokerId = broker.Id, BrokerEpoch = broker.Epoch, Fenced = (sbyte)(fenced ? 1 : -1),
        });
}
