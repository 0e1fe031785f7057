using Broker.Hosting;

namespace Broker.Handlers;

/// <summary>
/// Every API handler this node serves, per kind of listener: Kafka answers each API on the
/// listeners its spec names (broker, controller). ApiVersions on a listener advertises exactly that list.
/// </summary>
public static class HandlerCatalog
{
    /// <summary>What the controller listeners serve: broker lifecycle, quorum-level admin and metadata changes.</summary>
    public static IReadOnlyList<IApiHandler> CreateForControllerListener(BrokerServices services, Func<RequestDispatcher> dispatcher) =>
    [
        new ApiVersionsHandler(dispatcher, services.Features),
        new CreateTopicsHandler(services),
        new DeleteTopicsHandler(services),
        new CreatePartitionsHandler(services),
        new DescribeConfigsHandler(services),
        new AlterConfigsHandler(services),
        new IncrementalAlterConfigsHandler(services),
        new DescribeClusterHandler(services),
        new UpdateFeaturesHandler(services),
        new BrokerRegistrationHandler(services),
        new BrokerHeartbeatHandler(services),
        new UnregisterBrokerHandler(services),
        new ControllerRegistrationHandler(services),
        new AllocateProducerIdsHandler(services),
        new AlterPartitionHandler(services),
        new ElectLeadersHandler(services),
        new AlterPartitionReassignmentsHandler(services),
        new ListPartitionReassignmentsHandler(services),
        new VoteHandler(services),
        new BeginQuorumEpochHandler(services),
        new EndQuorumEpochHandler(services),
        new DescribeQuorumHandler(services),
        new FetchSnapshotHandler(services),
        new MetadataLogFetchHandler(services),
    ];

    /// <summary>What the broker (client-facing) listeners serve.</summary>
    public static IReadOnlyList<IApiHandler> Create(BrokerServices services, Func<RequestDispatcher> dispatcher) =>
    [
        new ApiVersionsHandler(dispatcher, services.Features),
        new MetadataHandler(services),
        new ProduceHandler(services),
        new FetchHandler(services),
        new ListOffsetsHandler(services),
        new CreateTopicsHandler(services),
        new FindCoordinatorHandler(services),
        new DeleteTopicsHandler(services),
        new CreatePartitionsHandler(services),
        new DescribeConfigsHandler(services),
        new AlterConfigsHandler(services),
        new IncrementalAlterConfigsHandler(services),
        new DescribeClusterHandler(services),
        new DeleteRecordsHandler(services),
        new DescribeLogDirsHandler(services),
        new DescribeTopicPartitionsHandler(services),
        new OffsetForLeaderEpochHandler(services),
        new JoinGroupHandler(services),
        new SyncGroupHandler(services),
        new HeartbeatHandler(services),
        new LeaveGroupHandler(services),
        new OffsetCommitHandler(services),
        new OffsetFetchHandler(services),
        new DescribeGroupsHandler(services),
        new ListGroupsHandler(services),
        new DeleteGroupsHandler(services),
        new OffsetDeleteHandler(services),
        new InitProducerIdHandler(services),
        new DescribeProducersHandler(services),
        new UpdateFeaturesHandler(services),
        new UnregisterBrokerHandler(services),
        new DescribeQuorumHandler(services),
        new ElectLeadersHandler(services),
        new AlterPartitionReassignmentsHandler(services),
        new ListPartitionReassignmentsHandler(services),
    ];
}
