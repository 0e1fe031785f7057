using Broker.Config;
using Broker.Storage;

namespace Broker.Broker.Tests.Storage;

public class MetaPropertiesTests
{
    [Fact]
    public void Serialized_like_kafka_header_then_sorted_keys()
    {
        var meta = new MetaProperties("MkU3OEVBNTcwNTJENDM2Qk", 1, "5RkgxjX1R6KqJ2d3Yyf8Gg");
        var text = meta.Serialize(new DateTimeOffset(2024, 1, 25, 10, 29, 28, TimeSpan.Zero));
        Assert.Equal(
            "#\n#Thu Jan 25 10:29:28 UTC 2024\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk\ndirectory.id=5RkgxjX1R6KqJ2d3Yyf8Gg\nnode.id=1\nversion=1\n",
            text);
    }

    [Fact]
    public void Round_trips_through_the_file()
    {
        using var directory = new TempDirectory();
        var meta = new MetaProperties(ClusterId.Generate(), 42, ClusterId.Generate());
        MetaPropertiesFile.Write(directory.Path, meta);
        Assert.Equal(meta, MetaPropertiesFile.Read(directory.Path));
        Assert.False(File.Exists(MetaPropertiesFile.PathIn(directory.Path) + ".tmp"));
    }

    [Fact]
    public void Reads_a_file_kafka_wrote_in_hash_order_without_directory_id()
    {
        var meta = MetaProperties.Parse(JavaProperties.Parse("#\n#Tue Mar 12 14:55:52 UTC 2024\nnode.id=3\nversion=1\ncluster.id=abc\n"), "test");
        Assert.Equal(new MetaProperties("abc", 3, null), meta);
    }

    [Fact]
    public void Unformatted_directory_reads_as_null()
    {
        using var directory = new TempDirectory();
        Assert.Null(MetaPropertiesFile.Read(directory.Path));
        Assert.Null(MetaPropertiesFile.Read(directory.Sub("missing")));
    }

    [Theory]
    [InlineData("version=0\nbroker.id=1\ncluster.id=abc\n", "ZooKeeper")]
    [InlineData("version=2\nnode.id=1\ncluster.id=abc\n", "version=2")]
    [InlineData("node.id=1\ncluster.id=abc\n", "no version")]
    [InlineData("version=1\nnode.id=1\n", "no cluster.id")]
    [InlineData("version=1\nnode.id=x\ncluster.id=abc\n", "node.id=x")]
    public void Unusable_files_are_refused_with_a_reason(string text, string reason)
    {
        var error = Assert.Throws<StorageException>(() => MetaProperties.Parse(JavaProperties.Parse(text), "/data/meta.properties"));
        Assert.Contains(reason, error.Message);
        Assert.Contains("/data/meta.properties", error.Message);
    }

    [Fact]
    public void Generated_cluster_ids_look_like_kafkas()
    {
        for (var i = 0; i < 200; i++)
        {
            var id = ClusterId.Generate();
            Assert.Equal(22, id.Length);
            Assert.False(id.StartsWith('-'));
            Assert.Matches("^[A-Za-z0-9_-]{22}$", id);
            ClusterId.Validate(id);
        }
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("MkU3OEVBNTcwNTJENDM2Qk==")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("MkU3OEVBNTcwNTJENDM2Q!")]
    public void Invalid_cluster_ids_are_refused(string id)
    {
        Assert.Throws<StorageException>(() => ClusterId.Validate(id));
    }
}
