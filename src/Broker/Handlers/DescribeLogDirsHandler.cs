using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Replication;

namespace Broker.Handlers;

/// <summary>
/// DescribeLogDirs: every log directory of this node with the partitions it holds (all, or the
/// ones asked for) and their sizes. Replicas here are never "future" (no directory moves yet) and a
/// leader has no lag. v4 adds the file system's total and usable bytes.
/// </summary>
public sealed class DescribeLogDirsHandler(BrokerServices services) : ApiHandler<DescribeLogDirsRequest, DescribeLogDirsResponse>
{
    public override ApiKey Key => ApiKey.DescribeLogDirs;

    protected override ValueTask<DescribeLogDirsResponse?> HandleAsync(RequestContext context, DescribeLogDirsRequest request, CancellationToken cancel)
    {
        var wanted = request.Topics?.SelectMany(t => t.Partitions.Select(p => (t.Topic, p))).ToHashSet();
        var hosted = services.Replicas.All
            .Where(p => wanted is null || wanted.Contains((p.Id.Topic, p.Id.Partition)))
            .GroupBy(p => Normalize(Path.GetDirectoryName(Path.GetFullPath(p.Log.Directory)) ?? ""), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

        var response = new DescribeLogDirsResponse();
        foreach (var dir in services.Config.LogDirs.Select(d => Normalize(Path.GetFullPath(d))).Distinct(StringComparer.Ordinal))
        {
            var result = new DescribeLogDirsResponse.DescribeLogDirsResult { LogDir = dir };
            if (!Directory.Exists(dir))
                result.ErrorCode = (short)ErrorCode.KafkaStorageError;
            else
                (result.TotalBytes, result.UsableBytes) = Space(dir);
            foreach (var topic in hosted.GetValueOrDefault(dir, []).GroupBy(p => p.Id.Topic).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var entry = new DescribeLogDirsResponse.DescribeLogDirsTopic { Name = topic.Key };
                foreach (var partition in topic.OrderBy(p => p.Id.Partition))
                    entry.Partitions.Add(Describe(partition));
                result.Topics.Add(entry);
            }
            response.Results.Add(result);
        }
        return ValueTask.FromResult<DescribeLogDirsResponse?>(response);
    }

    private static string Normalize(string path) => Path.TrimEndingDirectorySeparator(path);

    private static DescribeLogDirsResponse.DescribeLogDirsPartition Describe(Partition partition)
    {
        long size;
        try
        {
            size = partition.Log.Size;
        }
        catch (ObjectDisposedException)
        {
            size = 0;
        }
        return new DescribeLogDirsResponse.DescribeLogDirsPartition
        {
            PartitionIndex = partition.Id.Partition, PartitionSize = size, OffsetLag = 0, IsFutureKey = false,
        };
    }

    /// <summary>The file system holding <paramref name="dir"/>; -1 (unknown) when it cannot be asked.</summary>
    private static (long Total, long Usable) Space(string dir)
    {
        try
        {
            var drive = new DriveInfo(dir);
            return (drive.TotalSize, drive.AvailableFreeSpace);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return (-1, -1);
        }
    }
}
