namespace Broker.Protocol.Records;

/// <summary>The type field of a control record's key (Kafka's ids).</summary>
public enum ControlRecordType : short
{
    Abort = 0,
    Commit = 1,
    LeaderChange = 2,
    SnapshotHeader = 3,
    SnapshotFooter = 4,
    KRaftVersion = 5,
    KRaftVoters = 6,
}
