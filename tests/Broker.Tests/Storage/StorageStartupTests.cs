using Broker.Broker.Tests.Config;
using Broker.Config;
using Broker.Storage;

namespace Broker.Broker.Tests.Storage;

public class StorageStartupTests
{
    private static BrokerConfig Config(TempDirectory root, string nodeId = "1", string dirs = "a") =>
        ConfigFixtures.Build(
            ("log.dirs", string.Join(",", dirs.Split(',').Select(root.Sub))),
            ("node.id", nodeId),
            ("controller.quorum.voters", $"{nodeId}@localhost:9093"));

    [Fact]
    public void Unformatted_storage_is_refused_with_the_format_command()
    {
        using var root = new TempDirectory();
        var error = Assert.Throws<StorageException>(() =>
            StorageStartup.Prepare(Config(root), new StorageStartOptions { PropertiesFile = "/etc/broker/server.properties" }));
        Assert.Contains("not formatted", error.Message);
        Assert.Contains("format -t <cluster-id> -c /etc/broker/server.properties", error.Message);
        Assert.Contains("random-uuid", error.Message);
        Assert.False(File.Exists(MetaPropertiesFile.PathIn(root.Sub("a"))));
    }

    [Fact]
    public void Formatted_storage_is_accepted_as_is()
    {
        using var root = new TempDirectory();
        var config = Config(root);
        var clusterId = ClusterId.Generate();
        StorageFormatter.Format(config, clusterId, false, TextWriter.Null);
        var before = File.ReadAllText(MetaPropertiesFile.PathIn(root.Sub("a")));

        var storage = StorageStartup.Prepare(config, new StorageStartOptions());

        Assert.Equal(clusterId, storage.ClusterId);
        Assert.Empty(storage.NewlyFormatted);
        var directory = Assert.Single(storage.Directories);
        Assert.True(directory.HoldsMetadata);
        Assert.Equal(MetaPropertiesFile.Read(root.Sub("a"))!.DirectoryId, directory.DirectoryId);
        Assert.Equal(before, File.ReadAllText(MetaPropertiesFile.PathIn(root.Sub("a"))));
    }

    [Fact]
    public void Auto_format_formats_a_new_node_with_a_generated_or_given_id()
    {
        using var root = new TempDirectory();
        var generated = StorageStartup.Prepare(Config(root, dirs: "a"), new StorageStartOptions { AutoFormat = true });
        ClusterId.Validate(generated.ClusterId);
        Assert.Equal([root.Sub("a")], generated.NewlyFormatted);

        var given = ClusterId.Generate();
        var withId = StorageStartup.Prepare(Config(root, dirs: "b"), new StorageStartOptions { AutoFormat = true, ClusterId = given });
        Assert.Equal(given, withId.ClusterId);

        var again = StorageStartup.Prepare(Config(root, dirs: "a"), new StorageStartOptions { AutoFormat = true });
        Assert.Equal(generated.ClusterId, again.ClusterId);
        Assert.Empty(again.NewlyFormatted);
    }

    [Fact]
    public void Given_cluster_id_that_differs_from_the_disk_is_refused()
    {
        using var root = new TempDirectory();
        StorageStartup.Prepare(Config(root), new StorageStartOptions { AutoFormat = true });
        var error = Assert.Throws<StorageException>(() =>
            StorageStartup.Prepare(Config(root), new StorageStartOptions { AutoFormat = true, ClusterId = ClusterId.Generate() }));
        Assert.Contains("belongs to cluster", error.Message);
    }

    [Fact]
    public void Node_id_mismatch_is_refused()
    {
        using var root = new TempDirectory();
        StorageFormatter.Format(Config(root, nodeId: "1"), ClusterId.Generate(), false, TextWriter.Null);
        var error = Assert.Throws<StorageException>(() => StorageStartup.Prepare(Config(root, nodeId: "2"), new StorageStartOptions { AutoFormat = true }));
        Assert.Contains("node.id 1", error.Message);
        Assert.Contains("node.id 2", error.Message);
    }

    [Fact]
    public void Directories_of_different_clusters_are_refused()
    {
        using var root = new TempDirectory();
        StorageFormatter.Format(Config(root, dirs: "a"), ClusterId.Generate(), false, TextWriter.Null);
        StorageFormatter.Format(Config(root, dirs: "b"), ClusterId.Generate(), false, TextWriter.Null);
        var error = Assert.Throws<StorageException>(() => StorageStartup.Prepare(Config(root, dirs: "a,b"), new StorageStartOptions()));
        Assert.Contains("different clusters", error.Message);
        Assert.Contains(root.Sub("a"), error.Message);
        Assert.Contains(root.Sub("b"), error.Message);
    }

    [Fact]
    public void A_new_empty_log_dir_joins_the_cluster_of_the_formatted_ones()
    {
        using var root = new TempDirectory();
        var clusterId = ClusterId.Generate();
        StorageFormatter.Format(Config(root, dirs: "a"), clusterId, false, TextWriter.Null);

        var storage = StorageStartup.Prepare(Config(root, dirs: "a,b"), new StorageStartOptions());

        Assert.Equal([root.Sub("b")], storage.NewlyFormatted);
        Assert.Equal(clusterId, MetaPropertiesFile.Read(root.Sub("b"))!.ClusterId);
    }

    [Fact]
    public void Unformatted_metadata_dir_is_refused_even_when_log_dirs_are_formatted()
    {
        using var root = new TempDirectory();
        StorageFormatter.Format(Config(root, dirs: "a"), ClusterId.Generate(), false, TextWriter.Null);
        var config = ConfigFixtures.Build(("log.dirs", root.Sub("a")), ("metadata.log.dir", root.Sub("meta")));
        var error = Assert.Throws<StorageException>(() => StorageStartup.Prepare(config, new StorageStartOptions()));
        Assert.Contains(root.Sub("meta"), error.Message);
    }

    [Fact]
    public void Copied_directory_with_the_same_directory_id_is_refused()
    {
        using var root = new TempDirectory();
        StorageFormatter.Format(Config(root, dirs: "a"), ClusterId.Generate(), false, TextWriter.Null);
        Directory.CreateDirectory(root.Sub("b"));
        File.Copy(MetaPropertiesFile.PathIn(root.Sub("a")), MetaPropertiesFile.PathIn(root.Sub("b")));
        var error = Assert.Throws<StorageException>(() => StorageStartup.Prepare(Config(root, dirs: "a,b"), new StorageStartOptions()));
        Assert.Contains("directory.id", error.Message);
    }

    [Fact]
    public void A_file_without_directory_id_gets_one()
    {
        using var root = new TempDirectory();
        var clusterId = ClusterId.Generate();
        MetaPropertiesFile.Write(root.Sub("a"), new MetaProperties(clusterId, 1, null));
        var storage = StorageStartup.Prepare(Config(root), new StorageStartOptions());
        var written = MetaPropertiesFile.Read(root.Sub("a"))!;
        Assert.NotNull(written.DirectoryId);
        Assert.Equal(written.DirectoryId, storage.Directories[0].DirectoryId);
        Assert.Equal(clusterId, written.ClusterId);
    }
}
