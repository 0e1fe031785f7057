using Broker.Config;
using Broker.Broker.Tests.Storage;

namespace Broker.Broker.Tests.Config;

/// <summary>${env:…} and ${file:…:…} references, as the StatefulSet template uses them for per-pod addresses.</summary>
public class ConfigProvidersTests
{
    private static readonly Dictionary<string, string> PodEnvironment = new()
    {
        ["KAFKA_NODE_ID"] = "2",
        ["KAFKA_PROCESS_ROLES"] = "broker,controller",
        ["KAFKA_CONTROLLER_QUORUM_VOTERS"] = "2@kafka-2.kafka-headless:9093",
        ["KAFKA_CONTROLLER_LISTENER_NAMES"] = "CONTROLLER",
        ["KAFKA_LISTENERS"] = "PLAINTEXT://:9092,CONTROLLER://:9093,EXTERNAL://:9094",
        ["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"] = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,EXTERNAL:PLAINTEXT",
        ["KAFKA_CONFIG_PROVIDERS"] = "env",
        ["KAFKA_CONFIG_PROVIDERS_ENV_CLASS"] = ConfigProviders.EnvClass,
        ["KAFKA_ADVERTISED_LISTENERS"] =
            "PLAINTEXT://${env:POD_NAME}.kafka-headless:9092,EXTERNAL://${env:EXTERNAL_HOST}:3109${env:KAFKA_NODE_ID}",
        ["POD_NAME"] = "kafka-2",
        ["EXTERNAL_HOST"] = "203.0.113.7",
    };

    private static BrokerConfig Load(Dictionary<string, string> environment, params KeyValuePair<string, string>[] overrides) =>
        BrokerConfigLoader.Load(new BrokerConfigSources { Environment = environment, Overrides = overrides });

    [Fact]
    public void Env_references_give_each_pod_its_own_advertised_addresses()
    {
        var config = Load(PodEnvironment);
        Assert.Equal("PLAINTEXT://kafka-2.kafka-headless:9092, EXTERNAL://203.0.113.7:31092", string.Join(", ", config.ExplicitAdvertisedListeners));
        Assert.Empty(config.UnknownKeys);
    }

    [Fact]
    public void File_references_read_a_key_of_a_properties_file()
    {
        using var directory = new TempDirectory();
        var file = directory.WriteFile("pod.properties", "rack=zone-b\n");
        var environment = new Dictionary<string, string>(PodEnvironment)
        {
            ["KAFKA_CONFIG_PROVIDERS"] = "env,file",
            ["KAFKA_CONFIG_PROVIDERS_FILE_CLASS"] = ConfigProviders.FileClass,
            ["KAFKA_BROKER_RACK"] = $"${{file:{file}:rack}}",
        };
        Assert.Equal("zone-b", Load(environment).GetString("broker.rack"));
    }

    [Fact]
    public void Without_declared_providers_references_stay_as_written()
    {
        var environment = new Dictionary<string, string>(PodEnvironment);
        environment.Remove("KAFKA_CONFIG_PROVIDERS");
        environment["KAFKA_BROKER_RACK"] = "${env:POD_NAME}";
        environment.Remove("KAFKA_ADVERTISED_LISTENERS");
        Assert.Equal("${env:POD_NAME}", Load(environment).GetString("broker.rack"));
    }

    [Fact]
    public void A_missing_variable_is_one_error_naming_the_key_and_the_variable()
    {
        var environment = new Dictionary<string, string>(PodEnvironment);
        environment.Remove("POD_NAME");
        var error = Assert.Throws<ConfigException>(() => Load(environment));
        Assert.Equal("advertised.listeners", error.Key);
        Assert.Contains("POD_NAME is not set", error.Message);
    }

    [Fact]
    public void A_missing_file_key_and_an_unknown_provider_class_are_errors()
    {
        using var directory = new TempDirectory();
        var file = directory.WriteFile("pod.properties", "other=1\n");
        var environment = new Dictionary<string, string>(PodEnvironment)
        {
            ["KAFKA_CONFIG_PROVIDERS"] = "env,file",
            ["KAFKA_CONFIG_PROVIDERS_FILE_CLASS"] = ConfigProviders.FileClass,
            ["KAFKA_BROKER_RACK"] = $"${{file:{file}:rack}}",
        };
        Assert.Contains("has no key rack", Assert.Throws<ConfigException>(() => Load(environment)).Message);

        environment["KAFKA_CONFIG_PROVIDERS_FILE_CLASS"] = "com.example.VaultConfigProvider";
        Assert.Equal("config.providers.file.class", Assert.Throws<ConfigException>(() => Load(environment)).Key);
    }

    [Fact]
    public void Overrides_may_use_references_too()
    {
        var config = Load(PodEnvironment, new KeyValuePair<string, string>("broker.rack", "rack-${env:KAFKA_NODE_ID}"));
        Assert.Equal("rack-2", config.GetString("broker.rack"));
    }
}
