using InterimPlatform.Ops;
using InterimPlatform.Ops.Access;
using InterimPlatform.Ops.Business;
using InterimPlatform.Ops.Messaging;
using Microsoft.Extensions.Configuration;

namespace InterimPlatform.Tests.Unit.Ops;

/// <summary>The configuration contract the AppHost fills in (environment variables, read as configuration keys).</summary>
public sealed class OpsOptionsTests
{
    private static IConfiguration Environment(params (string Variable, string Value)[] variables) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(variables.Select(v => new KeyValuePair<string, string?>(v.Variable.Replace("__", ":", StringComparison.Ordinal), v.Value)))
            .Build();

    [Fact]
    public void Every_variable_reaches_the_page_it_is_for()
    {
        var options = OpsOptions.Read(Environment(
            ("Ops__LoginToken", "token-1"),
            ("services__gateway__http__0", "http://localhost:5100"),
            ("Ops__AdminApiKey", "ipk.admin"),
            ("Ops__OpsApiKey", "ipk.ops"),
            ("Ops__RabbitMQ__ManagementUrl", "http://127.0.0.1:15672/"),
            ("Ops__RabbitMQ__UserName", "interim-admin"),
            ("Ops__RabbitMQ__Password", "secret"),
            ("Ops__Partners__0", "globalise"),
            ("Ops__Partners__1", "nordic-interim"),
            ("urls", "http://localhost:5190")));
        var messaging = new MessagingOptions();
        var business = new BusinessOptions();
        options.ConfigureMessaging(messaging);
        options.ConfigureBusiness(business);

        Assert.Equal("token-1", options.LoginToken);
        Assert.Equal(new Uri("http://127.0.0.1:15672/"), messaging.ManagementUrl);
        Assert.Equal(("interim-admin", "secret", "/"), (messaging.UserName, messaging.Password, messaging.VirtualHost));
        Assert.Equal(new Uri("http://localhost:5100"), messaging.GatewayUrl);
        Assert.Equal("ipk.admin", messaging.AdminApiKey);
        Assert.Equal(new Uri("http://localhost:5100"), business.GatewayUrl);
        Assert.Equal("ipk.ops", business.ApiKey);
        Assert.Equal(["globalise", "nordic-interim"], business.Partners);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Without_a_login_token_the_service_does_not_start(string? token)
    {
        var configuration = token is null ? Environment() : Environment(("Ops__LoginToken", token));

        var refused = Assert.Throws<InvalidOperationException>(() => OpsOptions.Read(configuration));

        Assert.Contains("Ops__LoginToken", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_gateway_or_keys_the_pages_are_read_only_and_say_so()
    {
        var options = OpsOptions.Read(Environment(("Ops__LoginToken", "t")));
        var messaging = new MessagingOptions();
        options.ConfigureMessaging(messaging);

        Assert.Null(options.GatewayUrl);
        Assert.Null(messaging.AdminApiKey);
        Assert.False(new FailedMessageActions(new HttpClient(), Microsoft.Extensions.Options.Options.Create(messaging), TimeProvider.System).IsConfigured);
    }

    [Theory]
    [InlineData("http://localhost:5190", true)]
    [InlineData("http://127.0.0.1:5190;http://[::1]:5190", true)]
    [InlineData("http://127.0.0.2:5190", true)]
    [InlineData("http://0.0.0.0:5190", false)]
    [InlineData("http://*:5190", false)]
    [InlineData("http://+:5190", false)]
    [InlineData("http://ops.example.com:5190", false)]
    public void It_listens_on_loopback_only(string urls, bool accepted)
    {
        var refused = Record.Exception(() => OpsOptions.RequireLoopback(urls));

        Assert.Equal(accepted, refused is null);
    }

    [Fact]
    public void Http_ports_alone_would_listen_everywhere_and_are_refused() =>
        Assert.Throws<InvalidOperationException>(() => OpsOptions.RequireLoopback(null, httpPorts: "8080"));

    [Fact]
    public void Only_the_exact_token_is_valid()
    {
        var access = new OpsAccess(new OpsOptions { LoginToken = "nCC9JAK8QghXNAgfAxFCpsVxqsaMmujb" });

        Assert.True(access.IsValidToken("nCC9JAK8QghXNAgfAxFCpsVxqsaMmujb"));
        Assert.False(access.IsValidToken("nCC9JAK8QghXNAgfAxFCpsVxqsaMmuj"));
        Assert.False(access.IsValidToken("nCC9JAK8QghXNAgfAxFCpsVxqsaMmujbX"));
        Assert.False(access.IsValidToken("NCC9JAK8QghXNAgfAxFCpsVxqsaMmujb"));
        Assert.False(access.IsValidToken(""));
        Assert.False(access.IsValidToken(null));
    }
}
