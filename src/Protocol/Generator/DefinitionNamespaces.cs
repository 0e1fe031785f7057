namespace Broker.Protocol.Generator;

/// <summary>One namespace per definition folder keeps same-named records apart.</summary>
public static class DefinitionNamespaces
{
    public static string For(string folder)
    {
        switch (folder)
        {
            case "metadata": return "Broker.Protocol.MetadataRecords";
            case "group-coordinator": return "Broker.Protocol.GroupCoordinator";
            case "transaction-coordinator": return "Broker.Protocol.TransactionCoordinator";
            default: return "Broker.Protocol.Messages";
        }
    }
}
