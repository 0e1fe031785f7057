namespace Broker.Protocol.Wire;

/// <summary>Support for generated code: unknown tagged fields are re-written in tag order among known ones.</summary>
public static class TaggedFields
{
    public static void WriteUnknownBelow(KafkaWriter writer, List<RawTaggedField>? unknown, ref int index, int tagLimit)
    {
        if (unknown is null)
            return;
        while (index < unknown.Count && unknown[index].Tag < tagLimit)
            writer.WriteRawTaggedField(unknown[index++]);
    }
}
