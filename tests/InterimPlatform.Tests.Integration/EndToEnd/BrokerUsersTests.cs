using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using InterimPlatform.AppHost;
using InterimPlatform.Hosting.NativeServers;
using InterimPlatform.Tests.Integration.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace InterimPlatform.Tests.Integration.EndToEnd;

/// <summary>The AppHost's platform connects each service to RabbitMQ as its own user; the administrator stays with the AppHost.</summary>
[Collection(AspirePlatformCollection.Name)]
public sealed class BrokerUsersTests(AspirePlatform platform)
{
    [Fact]
    public async Task Every_service_connects_to_the_broker_as_its_own_generated_user_never_as_the_administrator()
    {
        var node = platform.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<RabbitMQNodeResource>().Single();
        using var management = RabbitMQManagement.Client(node.ManagementUri, PlatformModel.MessagingAdministrator, platform.Secret("messaging-password"));

        // MassTransit names its connection after the service; Candidates' partner intake has one of its own.
        var expected = ServiceBrokerUsers.All.Select(s => (Name: s.Service, User: s.UserName))
            .Append((Name: "candidates partner intake", User: ServiceBrokerUsers.For("candidates").UserName))
            .ToList();
        var connections = await Eventually.GetAsync(
            async () =>
            {
                var all = (await management.GetFromJsonAsync<JsonElement[]>("api/connections"))!
                    .Select(c => (Name: c.GetProperty("client_properties").TryGetProperty("connection_name", out var name) ? name.GetString() : null, User: c.GetProperty("user").GetString()))
                    .ToList();
                return expected.All(e => all.Any(c => c.Name == e.Name)) ? all : null;
            },
            TimeSpan.FromSeconds(30),
            "every service's broker connections");

        foreach (var (name, user) in expected)
        {
            Assert.All(connections.Where(c => c.Name == name), c => Assert.Equal(user, c.User));
        }

        var services = ServiceBrokerUsers.All.Select(s => s.Service).ToList();
        Assert.DoesNotContain(connections, c => c.User == PlatformModel.MessagingAdministrator && services.Any(s => c.Name?.StartsWith(s, StringComparison.Ordinal) == true));
        // Generated per installation, each its own.
        var passwords = ServiceBrokerUsers.All.Select(s => platform.Secret($"{s.ResourceName}-password")).Append(platform.Secret("messaging-password")).ToList();
        Assert.Equal(passwords.Count, passwords.Distinct().Count());
        Assert.All(passwords, p => Assert.True(p.Length >= 32));
    }
}
