using System.Text.Json.Serialization;

namespace Broker.Operations;

/// <summary>
/// Source-generated JSON for the operations endpoint: no reflection, so the endpoint works in a
/// NativeAOT image. Every type written by the endpoint is listed here.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ReadinessReport))]
[JsonSerializable(typeof(LivenessReport))]
[JsonSerializable(typeof(Cluster.ClusterSnapshot))]
internal sealed partial class OperationsJson : JsonSerializerContext;
