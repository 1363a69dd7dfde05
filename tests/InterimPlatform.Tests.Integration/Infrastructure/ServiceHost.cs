using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace InterimPlatform.Tests.Integration.Infrastructure;

/// <summary>A service running in-process against the real test servers, configured as the AppHost would configure it.</summary>
/// <param name="services">Replaces services for the test, for example the clock.</param>
public sealed class ServiceHost<TEntryPoint>(IReadOnlyDictionary<string, string> settings, Action<IServiceCollection>? services = null) : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    /// <summary>Starts the service and waits until <c>/health</c> passes: database reachable, consumers' queues bound.</summary>
    public async Task WaitUntilHealthyAsync()
    {
        var client = CreateClient();
        await Eventually.GetAsync(
            async () => (await client.GetAsync("/health")).IsSuccessStatusCode ? "healthy" : null,
            TimeSpan.FromSeconds(60),
            $"{typeof(TEntryPoint).Assembly.GetName().Name} to be healthy");
    }

    /// <summary>The key the gateway would sign with; the same for every service of the test run.</summary>
    public static readonly string SigningKey = GatewayIdentity.NewSigningKey();

    /// <summary>A client that speaks as <paramref name="actor"/> with every role, as if through the gateway.</summary>
    public HttpClient CreateClientAs(string actor)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(actor));
        return client;
    }

    /// <summary>A gateway token for <paramref name="actor"/>, valid for the test.</summary>
    public static string TokenFor(string actor, params string[] roles) =>
        GatewayIdentity.Issue(GatewayIdentity.Key(SigningKey), actor, roles.Length > 0 ? roles : GatewayIdentity.Roles.All, DateTimeOffset.UtcNow, TimeSpan.FromHours(1));

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor("test-user"));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting(GatewayIdentity.SigningKeySetting, SigningKey);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (services is not null)
        {
            builder.ConfigureServices(services);
        }
    }
}

public static class Eventually
{
    /// <summary>Polls <paramref name="probe"/> until it returns a value, or fails the test after <paramref name="timeout"/>.</summary>
    public static async Task<T> GetAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.");
            }

            await Task.Delay(100);
        }
    }
}
