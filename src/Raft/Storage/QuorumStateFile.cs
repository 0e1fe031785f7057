using System.Text.Json;
using Broker.Raft.Core;

namespace Broker.Raft.Storage;

/// <summary>
/// Kafka's <c>quorum-state</c> file in the metadata partition directory: one JSON object with
/// the QuorumStateData fields in camelCase and <c>data_version</c>. Version 0 (static voters, what
/// we write) has clusterId, leaderId, leaderEpoch, votedId, appliedOffset and currentVoters;
/// version 1 (KIP-853) has leaderId, leaderEpoch, votedId and votedDirectoryId. Written to a
/// temporary file, synced and renamed over the old one, so a crash leaves the old or the new state.
/// </summary>
public static class QuorumStateFile
{
    public const string FileName = "quorum-state";
    private const string TempSuffix = ".tmp";

    /// <summary>The file's contents.</summary>
    public sealed record Contents(QuorumState State, short DataVersion, string ClusterId, IReadOnlyList<int> CurrentVoters);

    public static void Write(string path, QuorumState state, IReadOnlyList<int> currentVoters, short dataVersion = 0)
    {
        var temp = path + TempSuffix;
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var json = new Utf8JsonWriter(stream))
            {
                json.WriteStartObject();
                if (dataVersion == 0) json.WriteString("clusterId", "");
                json.WriteNumber("leaderId", state.LeaderId);
                json.WriteNumber("leaderEpoch", state.LeaderEpoch);
                json.WriteNumber("votedId", state.VotedId);
                if (dataVersion == 0)
                {
                    json.WriteNumber("appliedOffset", 0);
                    json.WriteStartArray("currentVoters");
                    foreach (var voter in currentVoters)
                    {
                        json.WriteStartObject();
                        json.WriteNumber("voterId", voter);
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                }
                else
                    json.WriteString("votedDirectoryId", "AAAAAAAAAAAAAAAAAAAAAA");
                json.WriteNumber("data_version", dataVersion);
                json.WriteEndObject();
            }
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>The stored state, or null when there is no file yet. A torn temporary file is ignored.</summary>
    public static Contents? Read(string path)
    {
        if (!File.Exists(path)) return null;
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = doc.RootElement;
        var version = root.TryGetProperty("data_version", out var v) ? v.GetInt16() : (short)0;
        if (version is < 0 or > 1)
            throw new InvalidDataException($"{path}: unsupported quorum-state data_version {version}");
        int Int(string name) => root.TryGetProperty(name, out var p) ? p.GetInt32() : -1;
        var voters = root.TryGetProperty("currentVoters", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(e => e.GetProperty("voterId").GetInt32()).ToArray()
            : [];
        var clusterId = root.TryGetProperty("clusterId", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "";
        return new Contents(new QuorumState(Math.Max(0, Int("leaderEpoch")), Int("leaderId"), Int("votedId")), version, clusterId, voters);
    }

    internal static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        try
        {
            using var handle = File.OpenHandle(directory, FileMode.Open, FileAccess.Read);
            RandomAccess.FlushToDisk(handle);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            // Some file systems refuse to open directories; the rename is still atomic there.
        }
    }
}
