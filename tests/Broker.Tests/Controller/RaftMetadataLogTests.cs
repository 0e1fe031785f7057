using Broker.Controller;
using Broker.Metadata;
using Broker.Protocol.MetadataRecords;
using Broker.Protocol.Wire;
using Broker.Raft.Client;
using Broker.Raft.Core;
using Broker.Raft.Storage;

namespace Broker.Tests.Controller;

public class RaftMetadataLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("raft-metadata-log-").FullName;

    private sealed class NoPeers : IRaftTransport
    {
        public Task<IApiMessage> SendAsync(int destinationId, IApiMessage request, CancellationToken cancel) =>
            Task.FromException<IApiMessage>(new IOException("a single voter has no peers"));
    }

    private (RaftClient Client, RaftMetadataLog Log) Start()
    {
        var log = new RaftMetadataLog();
        var client = new RaftClient(new RaftConfig(1, [1]), "cluster", new RaftLogStore(_dir, [1]), new NoPeers(), log);
        log.Attach(client);
        client.Start();
        return (client, log);
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }

    private static VersionedRecord Feature(short level) =>
        VersionedRecord.Latest(new FeatureLevelRecord { Name = "metadata.version", FeatureLevel = level });

    [Fact]
    public async Task Committed_records_are_read_back_and_survive_a_restart()
    {
        var (client, log) = Start();
        await Until(() => client.IsLeader, "the single voter to lead");
        var offset = await log.AppendAsync([Feature(21), Feature(22)], CancellationToken.None);
        Assert.Equal(2, log.ReadCommitted().Single().Records.Count);
        Assert.Equal(offset, log.ReadCommitted().Single().LastOffset);
        await client.DisposeAsync();

        var (again, reopened) = Start();
        await using var _ = again;
        await Until(() => reopened.ReadCommitted().Any(), "the committed batch after restart");
        var records = reopened.ReadCommitted().Single().Records.Cast<FeatureLevelRecord>().Select(r => r.FeatureLevel);
        Assert.Equal([(short)21, (short)22], records);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
