using Broker.Config;
using Broker.Metadata;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.MetadataRecords;
using Broker.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Broker.Controller;

/// <summary>
/// The active controller: validates cluster changes, turns them into metadata records and commits
/// them through the metadata log, one change at a time (a single-writer event loop, as in Kafka).
/// The image is only updated from committed records, so what a client is told exists survives a crash.
/// </summary>
/// <param name="clock">Drives broker session expiry; tests pass a manual clock.</param>
public sealed class QuorumController(IMetadataLog log, MetadataCache cache, BrokerConfig config, ILogger logger, TimeProvider? clock = null)
{
    private readonly SemaphoreSlim _loop = new(1, 1);
    private BrokerMembership? _brokers;

    private IsrChanges? _isr;
    private LeaderElections? _elections;
    private Reassignments? _reassignments;

    /// <summary>AlterPartition from partition leaders.</summary>
    public IsrChanges Isr => LazyInitializer.EnsureInitialized(ref _isr, () => new IsrChanges(this, logger));

    /// <summary>ElectLeaders, preferred-leader rebalancing and unclean elections.</summary>
    public LeaderElections Elections => LazyInitializer.EnsureInitialized(ref _elections, () => new LeaderElections(this, logger));

    /// <summary>AlterPartitionReassignments and ListPartitionReassignments.</summary>
    public Reassignments Reassignments => LazyInitializer.EnsureInitialized(ref _reassignments, () => new Reassignments(this, logger));

    /// <summary>Registration, heartbeats and fencing of brokers.</summary>
    public BrokerMembership Brokers => LazyInitializer.EnsureInitialized(ref _brokers, () => new BrokerMembership(this,
        new BrokerSessions(clock ?? TimeProvider.System, TimeSpan.FromMilliseconds(config.GetInt("broker.session.timeout.ms")),
            BrokerSessions.GraceAfterConnectionLoss(config)), logger));

    public MetadataImage Image => cache.Current;

    internal BrokerConfig Config => config;

    /// <summary>Replays the committed log into the image; the node's first step at start.</summary>
    public void Load()
    {
        foreach (var batch in log.ReadCommitted())
            cache.Apply(batch.Records, batch.LastOffset);
    }

    /// <summary>
    /// The single-writer loop: <paramref name="change"/> decides against the current image and its
    /// records commit before the next change starts.
    /// </summary>
    internal async Task<T> RunAsync<T>(Func<MetadataImage, (List<VersionedRecord> Records, T Result)> change, CancellationToken cancel)
    {
        await _loop.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            var (records, result) = change(cache.Current);
            if (records.Count > 0)
            {
                long offset;
                try
                {
                    offset = await log.AppendAsync(records, cancel).ConfigureAwait(false);
                }
                catch (Raft.Client.NotLeaderException e)
                {
                    // Leadership moved: the caller answers NOT_CONTROLLER and the client retries at the new controller.
                    throw new ControllerUnavailableException($"This node is no longer the active controller ({e.Message}).", e);
                }
                // A Raft log hands committed batches to the cache itself before the append completes.
                if (cache.Current.Offset < offset)
                    cache.Apply(records.Select(r => r.Record).ToArray(), offset);
            }
            return result;
        }
        finally
        {
            _loop.Release();
        }
    }

    /// <summary>
    /// Becoming the active controller: a new cluster gets its metadata.version finalized, and the
    /// registered brokers get one session timeout to heartbeat before they are fenced.
    /// </summary>
    public Task ActivateAsync(CancellationToken cancel) =>
        RunAsync(image =>
        {
            var records = new List<VersionedRecord>();
            if (!image.Features.ContainsKey(Handlers.FeatureLevels.MetadataVersion))
                records.Add(VersionedRecord.Latest(new FeatureLevelRecord
                {
                    Name = Handlers.FeatureLevels.MetadataVersion, FeatureLevel = Handlers.FeatureLevels.LatestMetadataVersion,
                }));
            Brokers.Activate(image);
            return (records, true);
        }, cancel);

    public Task<CreateTopicsResponse> CreateTopicsAsync(CreateTopicsRequest request, CancellationToken cancel) =>
        RunAsync(image =>
        {
            var records = new List<VersionedRecord>();
            var response = new CreateTopicsResponse();
            if (PartitionLimits.TooLargeForOneOperation(request.Topics.Sum(t =>
                    (long)(t.Assignments.Count > 0 ? t.Assignments.Count : t.NumPartitions == -1 ? config.NumPartitions : Math.Max(0, t.NumPartitions)))))
            {
                foreach (var name in request.Topics.Select(t => t.Name).Distinct())
                    response.Topics.Add(Failed(name, ErrorCode.PolicyViolation, PartitionLimits.ExcessiveBatchMessage));
                return (records, response);
            }
            var limits = new PartitionLimits(image, config.GetInt("max.broker.partitions"));
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var duplicates = request.Topics.GroupBy(t => t.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
            foreach (var topic in request.Topics)
            {
                if (!seen.Add(topic.Name))
                    continue;
                var result = duplicates.Contains(topic.Name)
                    ? Failed(topic.Name, ErrorCode.InvalidRequest, "Duplicate topic name.")
                    : CreateTopic(image, topic, request.validateOnly, records, limits);
                response.Topics.Add(result);
            }
            return (records, response);
        }, cancel);

    private CreateTopicsResponse.CreatableTopicResult CreateTopic(
        MetadataImage image, CreateTopicsRequest.CreatableTopic topic, bool validateOnly, List<VersionedRecord> records, PartitionLimits limits)
    {
        if (TopicNames.Validate(topic.Name) is { } invalid)
            return Failed(topic.Name, ErrorCode.InvalidTopicException, invalid);
        if (image.Topic(topic.Name) is not null || records.Any(r => r.Record is TopicRecord t && t.Name == topic.Name))
            return Failed(topic.Name, ErrorCode.TopicAlreadyExists, $"Topic '{topic.Name}' already exists.");

        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var c in topic.Configs)
        {
            if (c.Value is null)
                continue;
            overrides[c.Name] = c.Value;
        }
        try
        {
            TopicConfigDefinitions.Validate(overrides.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)));
        }
        catch (ConfigException e)
        {
            return Failed(topic.Name, ErrorCode.InvalidConfig, e.Message);
        }

        var live = Brokers.PlacementCandidates(image);
        IReadOnlyList<int>[] assignment;
        if (topic.Assignments.Count > 0)
        {
            if (topic.NumPartitions != -1 || topic.ReplicationFactor != -1)
                return Failed(topic.Name, ErrorCode.InvalidRequest, "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.");
            var ordered = topic.Assignments.OrderBy(a => a.PartitionIndex).ToArray();
            for (var i = 0; i < ordered.Length; i++)
            {
                if (ordered[i].PartitionIndex != i)
                    return Failed(topic.Name, ErrorCode.InvalidReplicaAssignment, "Partitions should be a consecutive 0-based integer sequence.");
                if (ManualAssignment.Check(ordered[i].BrokerIds, i, image, i == 0 ? null : ordered[0].BrokerIds.Count, live) is { } badAssignment)
                    return Failed(topic.Name, ErrorCode.InvalidReplicaAssignment, badAssignment);
            }
            assignment = ordered.Select(a => (IReadOnlyList<int>)a.BrokerIds.ToArray()).ToArray();
        }
        else
        {
            var partitions = topic.NumPartitions == -1 ? config.NumPartitions : topic.NumPartitions;
            var replication = topic.ReplicationFactor == -1 ? config.DefaultReplicationFactor : topic.ReplicationFactor;
            if (partitions <= 0)
                return Failed(topic.Name, ErrorCode.InvalidPartitions, "Number of partitions must be larger than 0.");
            if (replication <= 0)
                return Failed(topic.Name, ErrorCode.InvalidReplicationFactor, "Replication factor must be larger than 0.");
            if (replication > live.Count)
                return Failed(topic.Name, ErrorCode.InvalidReplicationFactor, NotEnoughBrokers(replication, live.Count));
            assignment = ReplicaPlacement.Place(live, 0, partitions, replication, Random.Shared.Next(live.Count));
        }

        if (limits.TryReserve(assignment) is { } overLimit)
            return Failed(topic.Name, ErrorCode.PolicyViolation, overLimit);
        var id = Uuid.Random();
        var result = new CreateTopicsResponse.CreatableTopicResult
        {
            Name = topic.Name,
            TopicId = id,
            ErrorMessage = null,
            NumPartitions = assignment.Length,
            ReplicationFactor = (short)assignment[0].Count,
        };
        if (validateOnly)
            return result;

        records.Add(VersionedRecord.Latest(new TopicRecord { Name = topic.Name, TopicId = id }));
        for (var p = 0; p < assignment.Length; p++)
            records.Add(VersionedRecord.Latest(NewPartition(id, p, assignment[p], image)));
        foreach (var (name, value) in overrides)
            records.Add(VersionedRecord.Latest(new ConfigRecord
            {
                ResourceType = (sbyte)ConfigResourceType.Topic, ResourceName = topic.Name, Name = name, Value = value,
            }));
        logger.LogInformation("Creating topic {Topic} with id {TopicId}, {Partitions} partition(s), replication factor {Replication}",
            topic.Name, id, assignment.Length, assignment[0].Count);
        return result;
    }

    /// <summary>Kafka's wording for a replication factor above the usable brokers.</summary>
    private static string NotEnoughBrokers(int replication, int usable) =>
        $"Unable to replicate the partition {replication} time(s): The target replication factor of {replication} cannot be reached because only {usable} broker(s) are registered.";

    private static PartitionRecord NewPartition(Uuid topicId, int partition, IReadOnlyList<int> replicas, MetadataImage image)
    {
        // The leader is the first replica that is alive; the ISR starts as the live replicas.
        var live = replicas.Where(r => image.Brokers.TryGetValue(r, out var b) && !b.Fenced).ToList();
        return new PartitionRecord
        {
            PartitionId = partition,
            TopicId = topicId,
            Replicas = replicas.ToList(),
            Isr = live.Count > 0 ? live : replicas.ToList(),
            Leader = live.Count > 0 ? live[0] : -1,
            LeaderEpoch = 0,
            PartitionEpoch = 0,
            Directories = replicas.Select(_ => Uuid.Zero).ToList(),
        };
    }

    private static CreateTopicsResponse.CreatableTopicResult Failed(string name, ErrorCode error, string message) => new()
    {
        Name = name, ErrorCode = (short)error, ErrorMessage = message, NumPartitions = -1, ReplicationFactor = -1, Configs = null,
    };

    public Task<List<DeleteTopicsResponse.DeletableTopicResult>> DeleteTopicsAsync(
        IReadOnlyList<(string? Name, Uuid Id)> topics, CancellationToken cancel) =>
        RunAsync(image =>
        {
            var records = new List<VersionedRecord>();
            var output = new List<DeleteTopicsResponse.DeletableTopicResult>();
            var removed = new HashSet<Uuid>();
            foreach (var (name, id) in topics)
            {
                var topic = name is not null ? image.Topic(name) : image.TopicsById.GetValueOrDefault(id);
                var result = new DeleteTopicsResponse.DeletableTopicResult { Name = name ?? topic?.Name, TopicId = topic?.Id ?? id };
                if (topic is null)
                {
                    result.ErrorCode = (short)(name is not null ? ErrorCode.UnknownTopicOrPartition : ErrorCode.UnknownTopicId);
                    result.ErrorMessage = name is not null ? "This server does not host this topic-partition." : "This server does not host this topic ID.";
                }
                else if (removed.Add(topic.Id))
                {
                    records.Add(VersionedRecord.Latest(new RemoveTopicRecord { TopicId = topic.Id }));
                    logger.LogInformation("Deleting topic {Topic} with id {TopicId}", topic.Name, topic.Id);
                }
                output.Add(result);
            }
            return (records, output);
        }, cancel);

    public Task<CreatePartitionsResponse.CreatePartitionsTopicResult[]> CreatePartitionsAsync(CreatePartitionsRequest request, CancellationToken cancel) =>
        RunAsync(image =>
        {
            var records = new List<VersionedRecord>();
            if (PartitionLimits.TooLargeForOneOperation(request.Topics.Sum(t => Math.Max(0L, t.Count - (image.Topic(t.Name)?.Partitions.Count ?? 0)))))
                return (records, request.Topics.Select(t => new CreatePartitionsResponse.CreatePartitionsTopicResult
                {
                    Name = t.Name, ErrorCode = (short)ErrorCode.PolicyViolation, ErrorMessage = PartitionLimits.ExcessiveBatchMessage,
                }).ToArray());
            var limits = new PartitionLimits(image, config.GetInt("max.broker.partitions"));
            var results = request.Topics.Select(t => CreatePartitions(image, t, request.ValidateOnly, records, limits)).ToArray();
            return (records, results);
        }, cancel);

    private CreatePartitionsResponse.CreatePartitionsTopicResult CreatePartitions(
        MetadataImage image, CreatePartitionsRequest.CreatePartitionsTopic request, bool validateOnly, List<VersionedRecord> records, PartitionLimits limits)
    {
        CreatePartitionsResponse.CreatePartitionsTopicResult Fail(ErrorCode code, string message) =>
            new() { Name = request.Name, ErrorCode = (short)code, ErrorMessage = message };
        var topic = image.Topic(request.Name);
        if (topic is null)
            return Fail(ErrorCode.UnknownTopicOrPartition, $"The topic '{request.Name}' does not exist.");
        var current = topic.Partitions.Count;
        if (request.Count < current)
            return Fail(ErrorCode.InvalidPartitions, $"The topic {request.Name} currently has {current} partition(s); {request.Count} would not be an increase.");
        if (request.Count == current)
            return Fail(ErrorCode.InvalidPartitions, $"Topic already has {current} partition(s).");
        var added = request.Count - current;
        var replication = topic.Partitions[0].Replicas.Count;
        IReadOnlyList<int>[] assignment;
        if (request.Assignments is { } manual)
        {
            if (manual.Count != added)
                return Fail(ErrorCode.InvalidReplicaAssignment, $"Attempted to add {added} additional partition(s), but only {manual.Count} assignment(s) were specified.");
            if (manual.Any(a => a.BrokerIds.Count != replication || a.BrokerIds.Any(b => !image.Brokers.ContainsKey(b))))
                return Fail(ErrorCode.InvalidReplicaAssignment, "The manual partition assignment specifies an unknown broker or the wrong replication factor.");
            assignment = manual.Select(a => (IReadOnlyList<int>)a.BrokerIds.ToArray()).ToArray();
        }
        else
        {
            var live = Brokers.PlacementCandidates(image);
            if (live.Count < replication)
                return Fail(ErrorCode.InvalidReplicationFactor, NotEnoughBrokers(replication, live.Count));
            assignment = ReplicaPlacement.Place(live, current, added, replication, Random.Shared.Next(live.Count));
        }
        if (limits.TryReserve(assignment) is { } overLimit)
            return Fail(ErrorCode.PolicyViolation, overLimit);
        if (!validateOnly)
            for (var i = 0; i < added; i++)
                records.Add(VersionedRecord.Latest(NewPartition(topic.Id, current + i, assignment[i], image)));
        return new() { Name = request.Name, ErrorMessage = null };
    }

    /// <summary>
    /// Config changes decided against the image they will change: <paramref name="plan"/> runs inside
    /// the single-writer loop, so a check such as "the topic exists" or "the new set of overrides is
    /// valid" cannot be overtaken by a concurrent delete or alter before its records commit.
    /// </summary>
    public Task<T> ChangeConfigsAsync<T>(Func<MetadataImage, (IReadOnlyList<ConfigChange> Changes, T Result)> plan, CancellationToken cancel) =>
        RunAsync(image =>
        {
            var (changes, result) = plan(image);
            var records = changes.Select(c => VersionedRecord.Latest(new ConfigRecord
            {
                ResourceType = (sbyte)c.Type, ResourceName = c.Resource, Name = c.Name, Value = c.Value,
            })).ToList();
            if (changes.Any(c => c.Name == "unclean.leader.election.enable"))
            {
                // Allowing unclean elections takes effect at once for partitions that have no leader.
                var after = MetadataImageBuilder.Apply(image, records.Select(r => r.Record), image.Offset);
                records.AddRange(PartitionLeadership.ElectLeaderless(after, id => PartitionLeadership.Usable(after, id),
                    topic => PartitionLeadership.UncleanAllowed(after, config, topic)).Select(VersionedRecord.Latest));
            }
            return (records, result);
        }, cancel);

    public Task<UpdateFeaturesResponse> UpdateFeaturesAsync(UpdateFeaturesRequest request, short version, Handlers.FeatureLevels supported, CancellationToken cancel) =>
        RunAsync(image =>
        {
            var records = new List<VersionedRecord>();
            var results = FeatureUpdates.Plan(image, request, version, supported, records);
            return (records, FeatureUpdates.Response(results, version));
        }, cancel);

    /// <summary>ControllerRegistration: a controller publishes its endpoints and supported features (RegisterControllerRecord).</summary>
    public Task<ErrorCode> RegisterControllerAsync(ControllerRegistrationRequest request, CancellationToken cancel) =>
        RunAsync(image =>
        {
            var records = new List<VersionedRecord>();
            if (config.QuorumVoters.Count > 0 && config.QuorumVoters.All(v => v.NodeId != request.ControllerId))
                return (records, ErrorCode.InvalidRequest);
            var record = new RegisterControllerRecord { ControllerId = request.ControllerId, IncarnationId = request.IncarnationId };
            foreach (var l in request.Listeners)
                record.EndPoints.Add(new RegisterControllerRecord.ControllerEndpoint { Name = l.Name, Host = l.Host, Port = l.Port, SecurityProtocol = l.SecurityProtocol });
            foreach (var f in request.Features)
                record.Features.Add(new RegisterControllerRecord.ControllerFeature { Name = f.Name, MinSupportedVersion = f.MinSupportedVersion, MaxSupportedVersion = f.MaxSupportedVersion });
            records.Add(VersionedRecord.Latest(record));
            logger.LogInformation("Registered controller {Controller} (incarnation {Incarnation})", request.ControllerId, request.IncarnationId);
            return (records, ErrorCode.None);
        }, cancel);
}
