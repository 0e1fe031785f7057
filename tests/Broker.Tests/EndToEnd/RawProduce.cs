using System.Text;
using Broker.Protocol.Messages;
using Broker.Protocol.Records;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>Produce requests built by hand for raw-socket tests: batches with chosen producer fields, one partition.</summary>
public static class RawProduce
{
    /// <summary>An uncompressed batch of <paramref name="values"/>; producer fields as given (none by default).</summary>
    public static byte[] Batch(string[] values, long producerId = -1, short epoch = -1, int sequence = -1, bool transactional = false)
    {
        using var builder = new RecordBatchBuilder
        {
            ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = sequence, IsTransactional = transactional,
        };
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var value in values)
            builder.Append(now, null, Encoding.UTF8.GetBytes(value));
        using var built = builder.Build();
        return built.WrittenSpan.ToArray();
    }

    /// <summary>Produce v9 of one batch to partition 0 of <paramref name="topic"/>; the partition's answer.</summary>
    public static async Task<ProduceResponse.PartitionProduceResponse> SendAsync(KafkaConnection connection, string topic, byte[] batch, short acks = -1)
    {
        var response = await connection.RequestAsync<ProduceResponse>(new ProduceRequest
        {
            Acks = acks,
            TimeoutMs = 5000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }] }],
        }, 9);
        return Assert.Single(Assert.Single(response.Responses).PartitionResponses);
    }
}
