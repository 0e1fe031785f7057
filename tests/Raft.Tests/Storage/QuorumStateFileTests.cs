using System.Text.Json;
using Broker.Raft.Core;
using Broker.Raft.Storage;

namespace Broker.Raft.Tests.Storage;

public class QuorumStateFileTests
{
    [Fact]
    public void Version_0_is_written_with_kafkas_fields_and_read_back()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, QuorumStateFile.FileName);
        QuorumStateFile.Write(path, new QuorumState(7, 2, 3), [1, 2, 3]);

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        Assert.Equal(["clusterId", "leaderId", "leaderEpoch", "votedId", "appliedOffset", "currentVoters", "data_version"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, root.GetProperty("leaderId").GetInt32());
        Assert.Equal(7, root.GetProperty("leaderEpoch").GetInt32());
        Assert.Equal(3, root.GetProperty("votedId").GetInt32());
        Assert.Equal([1, 2, 3], root.GetProperty("currentVoters").EnumerateArray().Select(v => v.GetProperty("voterId").GetInt32()));
        Assert.Equal(0, root.GetProperty("data_version").GetInt32());

        var read = QuorumStateFile.Read(path)!;
        Assert.Equal(new QuorumState(7, 2, 3), read.State);
        Assert.Equal([1, 2, 3], read.CurrentVoters);
    }

    [Fact]
    public void A_version_1_file_as_newer_kafka_writes_it_is_read()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, QuorumStateFile.FileName);
        File.WriteAllText(path, """{"leaderId":-1,"leaderEpoch":12,"votedId":4,"votedDirectoryId":"AAAAAAAAAAAAAAAAAAAAAA","data_version":1}""");
        var read = QuorumStateFile.Read(path)!;
        Assert.Equal(new QuorumState(12, -1, 4), read.State);
        Assert.Equal(1, read.DataVersion);
    }

    [Fact]
    public void A_crash_while_writing_leaves_the_previous_state()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, QuorumStateFile.FileName);
        QuorumStateFile.Write(path, new QuorumState(3, 1, 1), [1, 2, 3]);
        // The next write died after part of its temporary file: the rename never happened.
        File.WriteAllText(path + ".tmp", """{"leaderId":2,"leaderEp""");
        Assert.Equal(new QuorumState(3, 1, 1), QuorumStateFile.Read(path)!.State);
        QuorumStateFile.Write(path, new QuorumState(4, -1, 2), [1, 2, 3]);
        Assert.Equal(new QuorumState(4, -1, 2), QuorumStateFile.Read(path)!.State);
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void No_file_means_no_state_yet()
    {
        using var dir = new TempDir();
        Assert.Null(QuorumStateFile.Read(Path.Combine(dir.Path, QuorumStateFile.FileName)));
    }
}
