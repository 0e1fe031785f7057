using Broker.Handlers;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.MetadataRecords;

namespace Broker.Broker.Tests.Controller;

/// <summary>UpdateFeatures as the controller decides it.</summary>
public sealed class FeatureUpdateTests
{
    private static UpdateFeaturesRequest Update(string feature, short level, sbyte type = 1, bool validateOnly = false) => new()
    {
        FeatureUpdates = [new UpdateFeaturesRequest.FeatureUpdateKey { Feature = feature, MaxVersionLevel = level, UpgradeType = type }],
        ValidateOnly = validateOnly,
    };

    [Fact]
    public async Task Metadata_version_cannot_go_down_nor_beyond_what_this_build_supports_and_unknown_features_are_refused()
    {
        var harness = await ControllerHarness.StartAsync();
        var features = new FeatureLevels();
        async Task<UpdateFeaturesResponse.UpdatableFeatureResult> Try(UpdateFeaturesRequest request) =>
            Assert.Single((await harness.Controller.UpdateFeaturesAsync(request, 1, features, CancellationToken.None)).Results);

        var down = await Try(Update(FeatureLevels.MetadataVersion, 20));
        Assert.Equal(ErrorCode.InvalidUpdateVersion, (ErrorCode)down.ErrorCode);
        Assert.Contains("downgrade", down.ErrorMessage);
        Assert.Equal(ErrorCode.InvalidUpdateVersion, (ErrorCode)(await Try(Update(FeatureLevels.MetadataVersion, 20, type: 3))).ErrorCode);
        Assert.Equal(ErrorCode.InvalidUpdateVersion, (ErrorCode)(await Try(Update(FeatureLevels.MetadataVersion, 99))).ErrorCode);
        Assert.Equal(ErrorCode.InvalidUpdateVersion, (ErrorCode)(await Try(Update("no.such.feature", 1))).ErrorCode);
        Assert.Equal(ErrorCode.None, (ErrorCode)(await Try(Update(FeatureLevels.MetadataVersion, FeatureLevels.LatestMetadataVersion))).ErrorCode);
        Assert.Equal(FeatureLevels.LatestMetadataVersion, harness.Image.Features[FeatureLevels.MetadataVersion]);
    }

    [Fact]
    public async Task An_upgrade_some_registered_broker_cannot_run_is_refused_naming_that_broker()
    {
        var harness = await ControllerHarness.StartAsync(new FeatureLevelRecord { Name = FeatureLevels.MetadataVersion, FeatureLevel = 20 });
        var old = ControllerHarness.Registration(4);
        old.Features[0].MaxSupportedVersion = 21;
        Assert.Equal(ErrorCode.None, (await harness.Controller.Brokers.RegisterAsync(old, CancellationToken.None)).Error);
        await harness.StartBrokersAsync(5);

        var supported = new FeatureLevels();
        var refused = await harness.Controller.UpdateFeaturesAsync(Update(FeatureLevels.MetadataVersion, 22), 1, supported, CancellationToken.None);
        var result = Assert.Single(refused.Results);
        Assert.Equal((short)ErrorCode.InvalidUpdateVersion, result.ErrorCode);
        Assert.Contains("Broker 4 only supports versions 7-21", result.ErrorMessage);

        var upgraded = await harness.Controller.UpdateFeaturesAsync(Update(FeatureLevels.MetadataVersion, 21), 1, supported, CancellationToken.None);
        Assert.Equal((short)ErrorCode.None, Assert.Single(upgraded.Results).ErrorCode);
        Assert.Equal((short)21, harness.Image.Features[FeatureLevels.MetadataVersion]);
    }

    [Fact]
    public async Task Version_2_reports_a_refusal_as_the_top_level_error()
    {
        var harness = await ControllerHarness.StartAsync();
        var response = await harness.Controller.UpdateFeaturesAsync(Update("no.such.feature", 1), 2, new FeatureLevels(), CancellationToken.None);
        Assert.Equal(ErrorCode.InvalidUpdateVersion, (ErrorCode)response.ErrorCode);
        Assert.Empty(response.Results);
    }
}
