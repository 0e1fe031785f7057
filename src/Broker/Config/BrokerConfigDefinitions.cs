using static Broker.Config.ConfigValidator;

namespace Broker.Config;

/// <summary>
/// The broker keys this node understands, with Kafka 4's names, types and defaults. Keys that are
/// not listed are kept (a later module may read them) and reported as unknown at start.
/// </summary>
public static class BrokerConfigDefinitions
{
    public const string LongMax = "9223372036854775807";

    public static IReadOnlyList<ConfigKey> All { get; } =
    [
        // KRaft and networking
        new("process.roles", ConfigType.List, null, "The roles this node plays: broker, controller or both.", EachOneOf("broker", "controller"), Required: true),
        new("node.id", ConfigType.Int, "-1", "The id of this node in the cluster; required in KRaft mode."),
        new("listeners", ConfigType.String, "PLAINTEXT://:9092", "Comma-separated NAME://host:port addresses to listen on; an empty host means every interface."),
        new("advertised.listeners", ConfigType.String, null, "Addresses given to clients and other nodes, when they differ from listeners."),
        new("listener.security.protocol.map", ConfigType.String, "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT", "Listener name to security protocol, as NAME:PROTOCOL pairs."),
        new("controller.listener.names", ConfigType.String, null, "Comma-separated names of the listeners used by the controller quorum."),
        new("controller.quorum.voters", ConfigType.List, "", "The static controller quorum: id@host:port for every voter."),
        new("controller.quorum.bootstrap.servers", ConfigType.List, "", "host:port of controllers used to discover the quorum (dynamic quorum)."),
        new("controller.quorum.election.timeout.ms", ConfigType.Int, "1000", "Time without a leader before a voter starts an election."),
        new("controller.quorum.election.backoff.max.ms", ConfigType.Int, "1000", "Upper bound of the back-off before a new election."),
        new("controller.quorum.fetch.timeout.ms", ConfigType.Int, "2000", "Time without a successful fetch before a follower suspects the leader."),
        new("controller.quorum.request.timeout.ms", ConfigType.Int, "2000", "Time to wait for a response to a quorum request."),
        new("controller.quorum.retry.backoff.ms", ConfigType.Int, "20", "Back-off before retrying a failed quorum request."),
        new("controller.quorum.append.linger.ms", ConfigType.Int, "25", "How long the leader waits to batch metadata records before writing."),
        new("inter.broker.listener.name", ConfigType.String, null, "Listener used between brokers; defaults to the one named after security.inter.broker.protocol."),
        new("security.inter.broker.protocol", ConfigType.String, "PLAINTEXT", "Security protocol between brokers when inter.broker.listener.name is unset.", OneOf("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")),
        new(ConfigProviders.ListKey, ConfigType.List, "", "Names of config providers whose ${name:[path:]key} references values may use (env and file are built in; see ConfigProviders)."),
        new("broker.rack", ConfigType.String, null, "Rack of this broker, for rack-aware replica placement."),
        new("broker.heartbeat.interval.ms", ConfigType.Int, "2000", "Interval between broker heartbeats to the controller."),
        new("broker.session.timeout.ms", ConfigType.Int, "9000", "A broker without heartbeats for this long is fenced."),
        // Kafka's KRaft broker has no key for this (it waits up to a hard-coded 5 minutes); the name joins
        // Kafka's controlled.shutdown.* family with the *.timeout.ms suffix Kafka uses for a bounded wait.
        new("controlled.shutdown.timeout.ms", ConfigType.Long, "20000",
            "How long a stopping broker (SIGTERM) waits for the controller to move its leaderships away and take it out of the ISRs " +
            "before it stops anyway. Keep it below the time the process is given to stop (Kubernetes' terminationGracePeriodSeconds).",
            AtLeast(0)),
        new("num.network.threads", ConfigType.Int, "3", "Threads receiving requests and sending responses.", AtLeast(1)),
        new("num.io.threads", ConfigType.Int, "8", "Threads processing requests.", AtLeast(1)),
        new("queued.max.requests", ConfigType.Int, "500", "Requests that may be queued before network threads stop reading.", AtLeast(1)),
        new("socket.send.buffer.bytes", ConfigType.Int, "102400", "SO_SNDBUF of server sockets; -1 uses the OS default."),
        new("socket.receive.buffer.bytes", ConfigType.Int, "102400", "SO_RCVBUF of server sockets; -1 uses the OS default."),
        new("socket.request.max.bytes", ConfigType.Int, "104857600", "Largest request accepted.", AtLeast(1)),
        new("connections.max.idle.ms", ConfigType.Long, "600000", "A connection that sends no bytes for this long while none of its requests is being handled is closed; a negative value never closes idle connections."),
        new("max.connections", ConfigType.Int, "2147483647", "Client connections accepted at once across the broker listeners; more are closed at accept. Controller listeners are not counted.", AtLeast(0)),
        new("max.connections.per.ip", ConfigType.Int, "2147483647", "Client connections accepted at once from one IP address; more are closed at accept.", AtLeast(0)),
        new("queued.max.request.bytes", ConfigType.Long, "-1", "Bytes of requests being read or handled at once before reading large requests pauses; -1 bounds it at a quarter of the memory available, at most 1 GiB. Requests up to 64 KiB are always read.", AtLeast(-1)),

        // Storage
        new("log.dir", ConfigType.List, "/tmp/kafka-logs", "Directory for partition data, used when log.dirs is unset."),
        new("log.dirs", ConfigType.List, null, "Comma-separated directories for partition data; overrides log.dir."),
        new("metadata.log.dir", ConfigType.String, null, "Directory of the cluster metadata log; defaults to the first log directory."),
        new("metadata.log.segment.bytes", ConfigType.Int, "1073741824", "Segment size of the metadata log.", AtLeast(12)),
        new("metadata.log.max.record.bytes.between.snapshots", ConfigType.Long, "20971520", "Metadata bytes appended before a new snapshot is taken.", AtLeast(1)),
        new("metadata.log.max.snapshot.interval.ms", ConfigType.Long, "3600000", "Longest time between metadata snapshots while records are appended; 0 turns time-based snapshots off.", AtLeast(0)),
        new("metadata.max.retention.bytes", ConfigType.Long, "104857600", "Metadata log size kept before old snapshots and segments are deleted."),
        new("metadata.max.retention.ms", ConfigType.Long, "604800000", "Age after which metadata snapshots and segments are deleted."),
        new("num.partitions", ConfigType.Int, "1", "Partitions of an automatically or default-created topic.", AtLeast(1)),
        new("max.broker.partitions", ConfigType.Int, "10000", "Most partition replicas the controller places on one broker (KIP-578's name); each costs the broker open files.", AtLeast(1)),
        new("default.replication.factor", ConfigType.Int, "1", "Replication factor of automatically created topics.", AtLeast(1)),
        new("auto.create.topics.enable", ConfigType.Boolean, "true", "Create a topic when a client asks for its metadata or produces to it."),
        new("delete.topic.enable", ConfigType.Boolean, "true", "Allow topics to be deleted."),
        new("log.segment.bytes", ConfigType.Int, "1073741824", "Largest size of a log segment file.", AtLeast(1024 * 1024)),
        new("log.roll.ms", ConfigType.Long, null, "Time after which a new segment is rolled; overrides log.roll.hours."),
        new("log.roll.hours", ConfigType.Int, "168", "Time in hours after which a new segment is rolled.", AtLeast(1)),
        new("log.roll.jitter.ms", ConfigType.Long, null, "Random jitter subtracted from the roll time; overrides log.roll.jitter.hours."),
        new("log.roll.jitter.hours", ConfigType.Int, "0", "Random jitter in hours subtracted from the roll time.", AtLeast(0)),
        new("log.retention.ms", ConfigType.Long, null, "Time to keep a segment; overrides the minutes and hours keys; -1 keeps forever."),
        new("log.retention.minutes", ConfigType.Int, null, "Time in minutes to keep a segment; overrides log.retention.hours."),
        new("log.retention.hours", ConfigType.Int, "168", "Time in hours to keep a segment."),
        new("log.retention.bytes", ConfigType.Long, "-1", "Largest size of a partition before old segments are deleted; -1 is unlimited."),
        new("log.retention.check.interval.ms", ConfigType.Long, "300000", "How often segments are checked for deletion.", AtLeast(1)),
        new("log.cleanup.policy", ConfigType.List, "delete", "delete, compact, or both.", EachOneOf("compact", "delete")),
        new("log.index.size.max.bytes", ConfigType.Int, "10485760", "Largest size of an offset or time index.", AtLeast(4)),
        new("log.index.interval.bytes", ConfigType.Int, "4096", "Bytes of batches between two offset index entries.", AtLeast(0)),
        new("log.flush.interval.messages", ConfigType.Long, LongMax, "Messages appended before a partition is flushed to disk.", AtLeast(1)),
        new("log.flush.interval.ms", ConfigType.Long, null, "Longest time data stays unflushed; unset falls back to log.flush.scheduler.interval.ms."),
        new("log.flush.scheduler.interval.ms", ConfigType.Long, LongMax, "How often partitions are checked for a time-based flush."),
        new("log.flush.offset.checkpoint.interval.ms", ConfigType.Int, "60000", "How often the recovery point checkpoint is written.", AtLeast(0)),
        new("log.flush.start.offset.checkpoint.interval.ms", ConfigType.Int, "60000", "How often the log start offset checkpoint is written.", AtLeast(0)),
        new("log.segment.delete.delay.ms", ConfigType.Long, "60000", "Delay before a deleted segment's files are removed.", AtLeast(0)),
        new("log.open.files.max", ConfigType.Int, "0", "Segment files kept open at once across all partitions (not a Kafka key): the least recently used idle ones are closed and reopened on use, so a node may host more segments than its open-file limit. 0 derives it from the process's RLIMIT_NOFILE: half of what is left after 256 descriptors, the rest staying for sockets.", AtLeast(0)),
        new("log.preallocate", ConfigType.Boolean, "false", "Preallocate segment files."),
        new("log.message.timestamp.type", ConfigType.String, "CreateTime", "CreateTime keeps the producer's timestamp; LogAppendTime uses the broker's clock.", OneOf("CreateTime", "LogAppendTime")),
        new("log.message.timestamp.before.max.ms", ConfigType.Long, LongMax, "How far in the past a CreateTime timestamp may be.", AtLeast(0)),
        new("log.message.timestamp.after.max.ms", ConfigType.Long, "3600000", "How far in the future a CreateTime timestamp may be.", AtLeast(0)),
        new("log.cleaner.enable", ConfigType.Boolean, "true", "Run the log cleaner for compacted topics."),
        new("log.cleaner.threads", ConfigType.Int, "1", "Log cleaner threads.", AtLeast(0)),
        new("log.cleaner.delete.retention.ms", ConfigType.Long, "86400000", "How long tombstones are kept in compacted topics.", AtLeast(0)),
        new("log.cleaner.min.compaction.lag.ms", ConfigType.Long, "0", "Minimum age of a record before it may be compacted.", AtLeast(0)),
        new("log.cleaner.max.compaction.lag.ms", ConfigType.Long, LongMax, "Maximum age of a record before it must be compacted.", AtLeast(1)),
        new("log.cleaner.backoff.ms", ConfigType.Long, "15000", "Sleep of the log cleaner when no log needs cleaning.", AtLeast(0)),
        new("log.cleaner.dedupe.buffer.size", ConfigType.Long, "134217728", "Memory of the log cleaner's key to offset map.", AtLeast(1024 * 1024)),
        new("log.cleaner.io.max.bytes.per.second", ConfigType.Double, "1.7976931348623157E308", "Bytes per second the log cleaner may read and write."),
        new("log.cleaner.min.cleanable.ratio", ConfigType.Double, "0.5", "Dirty ratio above which a log is compacted.", Between(0.0, 1.0)),
        new("log.local.retention.ms", ConfigType.Long, "-2", "Local retention time with tiered storage; -2 follows log.retention.ms.", AtLeast(-2)),
        new("log.local.retention.bytes", ConfigType.Long, "-2", "Local retention size with tiered storage; -2 follows log.retention.bytes.", AtLeast(-2)),
        new("num.recovery.threads.per.data.dir", ConfigType.Int, "2", "Threads per log directory recovering logs at start.", AtLeast(1)),
        new("min.insync.replicas", ConfigType.Int, "1", "In-sync replicas needed for an acks=all produce to succeed.", AtLeast(1)),
        new("unclean.leader.election.enable", ConfigType.Boolean, "false", "Allow an out-of-sync replica to become leader, losing data."),
        new("compression.type", ConfigType.String, "producer", "Compression of stored batches; producer keeps what the producer sent.", OneOf("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer")),
        new("compression.gzip.level", ConfigType.Int, "-1", "gzip level when compression.type is gzip.", MinusOneOrBetween(1, 9)),
        new("compression.lz4.level", ConfigType.Int, "9", "lz4 level when compression.type is lz4.", Between(1, 17)),
        new("compression.zstd.level", ConfigType.Int, "3", "zstd level when compression.type is zstd.", Between(-131072, 22)),
        new("message.max.bytes", ConfigType.Int, "1048588", "Largest record batch accepted.", AtLeast(0)),

        // Replication
        new("replica.lag.time.max.ms", ConfigType.Long, "30000", "A follower that has not caught up for this long leaves the ISR."),
        new("replica.fetch.max.bytes", ConfigType.Int, "1048576", "Bytes per partition a follower fetches.", AtLeast(0)),
        new("replica.fetch.min.bytes", ConfigType.Int, "1", "Bytes a follower fetch waits for."),
        new("replica.fetch.wait.max.ms", ConfigType.Int, "500", "Longest wait of a follower fetch."),
        new("replica.fetch.response.max.bytes", ConfigType.Int, "10485760", "Bytes per follower fetch response.", AtLeast(0)),
        new("replica.fetch.backoff.ms", ConfigType.Int, "1000", "Back-off after a failed follower fetch.", AtLeast(0)),
        new("replica.socket.timeout.ms", ConfigType.Int, "30000", "Socket timeout of follower fetches."),
        new("replica.high.watermark.checkpoint.interval.ms", ConfigType.Long, "5000", "How often the high watermark checkpoint is written."),
        new("num.replica.fetchers", ConfigType.Int, "1", "Fetcher threads per source broker."),
        new("replica.selector.class", ConfigType.String, null,
            "Which replica a consumer that sends its client.rack (Fetch v11+) is told to read from (KIP-392). Unset: always the leader. " +
            "org.apache.kafka.common.replica.RackAwareReplicaSelector: an in-sync replica on a broker whose broker.rack is the client's rack, " +
            "the leader when it is in that rack or none is.",
            OneOf("org.apache.kafka.common.replica.RackAwareReplicaSelector")),
        new("auto.leader.rebalance.enable", ConfigType.Boolean, "true", "Move leadership back to preferred replicas."),
        new("leader.imbalance.check.interval.seconds", ConfigType.Long, "300", "How often leadership balance is checked.", AtLeast(1)),
        new("leader.imbalance.per.broker.percentage", ConfigType.Int, "10", "Share of a broker's preferred partitions led elsewhere that triggers a rebalance.", AtLeast(0)),
        new("fetch.max.bytes", ConfigType.Int, "57671680", "Bytes a consumer fetch may return.", AtLeast(1024)),

        // Coordinators
        new("offsets.topic.num.partitions", ConfigType.Int, "50", "Partitions of __consumer_offsets.", AtLeast(1)),
        new("offsets.topic.replication.factor", ConfigType.Short, "3", "Replication factor of __consumer_offsets.", AtLeast(1)),
        new("offsets.topic.segment.bytes", ConfigType.Int, "104857600", "Segment size of __consumer_offsets.", AtLeast(1)),
        new("offsets.retention.minutes", ConfigType.Int, "10080", "How long committed offsets of an empty group are kept.", AtLeast(1)),
        new("offsets.retention.check.interval.ms", ConfigType.Long, "600000", "How often stale offsets are looked for.", AtLeast(1)),
        new("offsets.commit.timeout.ms", ConfigType.Int, "5000", "Longest wait for an offset commit to be replicated.", AtLeast(1)),
        new("offset.metadata.max.bytes", ConfigType.Int, "4096", "Longest metadata string an offset commit may carry."),
        new("group.initial.rebalance.delay.ms", ConfigType.Int, "3000", "Wait for more members before the first rebalance of a new group."),
        new("group.min.session.timeout.ms", ConfigType.Int, "6000", "Smallest session timeout a member may ask for."),
        new("group.max.session.timeout.ms", ConfigType.Int, "1800000", "Largest session timeout a member may ask for."),
        new("group.max.size", ConfigType.Int, "2147483647", "Members a group may have.", AtLeast(1)),
        new("transaction.state.log.num.partitions", ConfigType.Int, "50", "Partitions of __transaction_state.", AtLeast(1)),
        new("transaction.state.log.replication.factor", ConfigType.Short, "3", "Replication factor of __transaction_state.", AtLeast(1)),
        new("transaction.state.log.min.isr", ConfigType.Int, "2", "min.insync.replicas of __transaction_state.", AtLeast(1)),
        new("transaction.state.log.segment.bytes", ConfigType.Int, "104857600", "Segment size of __transaction_state.", AtLeast(1)),
        new("transactional.id.expiration.ms", ConfigType.Int, "604800000", "An idle transactional id expires after this long.", AtLeast(1)),
        new("transaction.max.timeout.ms", ConfigType.Int, "900000", "Largest transaction timeout a producer may ask for.", AtLeast(1)),
        new("producer.id.expiration.ms", ConfigType.Int, "86400000", "An idle producer id's state expires after this long.", AtLeast(1)),
        new("producer.id.expiration.check.interval.ms", ConfigType.Int, "600000", "How often expired producer ids are removed.", AtLeast(1)),
        // Operations (not Kafka keys: Kafka exposes these through JMX)
        new("metrics.http.listener", ConfigType.String, "http://0.0.0.0:9644",
            "Address of the operations HTTP endpoint (/healthz, /ready, /ready?safe-to-roll, /metrics, the cluster page at /): http://host:port; " +
            "port 0 picks a free port; an empty value turns the endpoint off. Start-up fails when the port is in use, as for a Kafka listener.",
            HttpListenerAddress()),
        // Not a Kafka key: fault injection for the end-to-end tests of idempotent producers' retries.
        new("test.fault.injection.drop.produce.response.every", ConfigType.Int, "0",
            "TEST ONLY: every Nth produce request is appended but answered by closing the connection, forcing the client to retry; 0 turns it off.", AtLeast(0)),
    ];

    private static readonly Dictionary<string, ConfigKey> ByName = All.ToDictionary(k => k.Name, StringComparer.Ordinal);

    public static ConfigKey? Find(string name) => ByName.GetValueOrDefault(name);
}
