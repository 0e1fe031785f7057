using Broker.Broker.Tests.Config;
using Broker.Storage;

namespace Broker.Broker.Tests.Storage;

public class StorageFormatterTests
{
    [Fact]
    public void Formats_every_log_dir_and_the_metadata_dir()
    {
        using var root = new TempDirectory();
        var config = ConfigFixtures.Build(("log.dirs", $"{root.Sub("a")},{root.Sub("b")}"), ("metadata.log.dir", root.Sub("meta")), ("node.id", "1"));
        var clusterId = ClusterId.Generate();
        var output = new StringWriter();

        var formatted = StorageFormatter.Format(config, clusterId, ignoreFormatted: false, output);

        Assert.Equal(3, formatted.Count);
        var metas = new[] { "a", "b", "meta" }.Select(d => MetaPropertiesFile.Read(root.Sub(d))!).ToArray();
        Assert.All(metas, m => Assert.Equal(clusterId, m.ClusterId));
        Assert.All(metas, m => Assert.Equal(1, m.NodeId));
        Assert.Equal(3, metas.Select(m => m.DirectoryId).Distinct().Count());
        Assert.Contains($"Formatting metadata directory {root.Sub("meta")}", output.ToString());
        Assert.Contains($"Formatting data directory {root.Sub("a")}", output.ToString());
    }

    [Fact]
    public void Already_formatted_is_an_error_unless_ignored()
    {
        using var root = new TempDirectory();
        var config = ConfigFixtures.Build(("log.dirs", root.Sub("a")));
        var clusterId = ClusterId.Generate();
        StorageFormatter.Format(config, clusterId, ignoreFormatted: false, TextWriter.Null);

        var error = Assert.Throws<StorageException>(() => StorageFormatter.Format(config, clusterId, ignoreFormatted: false, TextWriter.Null));
        Assert.Contains("already formatted", error.Message);
        Assert.Contains("--ignore-formatted", error.Message);

        var output = new StringWriter();
        Assert.Empty(StorageFormatter.Format(config, clusterId, ignoreFormatted: true, output));
        Assert.Contains("All of the log directories are already formatted", output.ToString());
    }

    [Fact]
    public void Ignore_formatted_formats_only_the_new_directories()
    {
        using var root = new TempDirectory();
        var clusterId = ClusterId.Generate();
        StorageFormatter.Format(ConfigFixtures.Build(("log.dirs", root.Sub("a"))), clusterId, false, TextWriter.Null);
        var before = MetaPropertiesFile.Read(root.Sub("a"));

        var formatted = StorageFormatter.Format(ConfigFixtures.Build(("log.dirs", $"{root.Sub("a")},{root.Sub("b")}")), clusterId, true, TextWriter.Null);

        Assert.Equal([root.Sub("b")], formatted.Select(d => d.Path));
        Assert.Equal(before, MetaPropertiesFile.Read(root.Sub("a")));
    }

    [Fact]
    public void Ignore_formatted_still_refuses_a_directory_of_another_cluster()
    {
        using var root = new TempDirectory();
        var config = ConfigFixtures.Build(("log.dirs", root.Sub("a")));
        StorageFormatter.Format(config, ClusterId.Generate(), false, TextWriter.Null);
        var error = Assert.Throws<StorageException>(() => StorageFormatter.Format(config, ClusterId.Generate(), true, TextWriter.Null));
        Assert.Contains("belongs to cluster", error.Message);
    }

    [Fact]
    public void Invalid_cluster_id_writes_nothing()
    {
        using var root = new TempDirectory();
        var config = ConfigFixtures.Build(("log.dirs", root.Sub("a")));
        Assert.Throws<StorageException>(() => StorageFormatter.Format(config, "short", false, TextWriter.Null));
        Assert.False(Directory.Exists(root.Sub("a")));
    }
}
