using InterimPlatform.Dashboard.Resources;

namespace InterimPlatform.Tests.Unit.Dashboard;

/// <summary>The resource details page shows environment values masked until each is revealed.</summary>
public sealed class HostingEnvironmentMaskingTests
{
    private static readonly Dictionary<string, string> Environment = new()
    {
        ["ConnectionStrings__candidatesdb"] = "Host=127.0.0.1;Password=s3cret-value",
        ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-otlp-api-key=abc",
        ["DOTNET_LAUNCH_PROFILE"] = "",
    };

    [Fact]
    public void Every_value_is_masked_at_first_and_the_mask_does_not_give_away_its_length()
    {
        var masked = new MaskedEnvironment(Environment);
        Assert.Equal(["ConnectionStrings__candidatesdb", "DOTNET_LAUNCH_PROFILE", "OTEL_EXPORTER_OTLP_HEADERS"], masked.Names);
        Assert.Equal(MaskedEnvironment.Mask, masked.Display("ConnectionStrings__candidatesdb"));
        Assert.Equal(MaskedEnvironment.Mask, masked.Display("OTEL_EXPORTER_OTLP_HEADERS"));
        Assert.Equal("", masked.Display("DOTNET_LAUNCH_PROFILE"));
        Assert.All(masked.Names, name => Assert.False(masked.IsRevealed(name)));
    }

    [Fact]
    public void Revealing_one_value_reveals_only_that_one_until_it_is_hidden_again()
    {
        var masked = new MaskedEnvironment(Environment);
        masked.Toggle("OTEL_EXPORTER_OTLP_HEADERS");
        Assert.Equal("x-otlp-api-key=abc", masked.Display("OTEL_EXPORTER_OTLP_HEADERS"));
        Assert.Equal(MaskedEnvironment.Mask, masked.Display("ConnectionStrings__candidatesdb"));

        masked.Toggle("OTEL_EXPORTER_OTLP_HEADERS");
        Assert.Equal(MaskedEnvironment.Mask, masked.Display("OTEL_EXPORTER_OTLP_HEADERS"));
    }

    [Fact]
    public void An_unknown_name_reveals_nothing()
    {
        var masked = new MaskedEnvironment(Environment);
        masked.Toggle("NOT_THERE");
        Assert.False(masked.IsRevealed("NOT_THERE"));
        Assert.Equal("", masked.Display("NOT_THERE"));
    }
}
