using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace InterimPlatform.Tests.Integration.Infrastructure;

/// <summary>
/// A MassTransit bus as the broker's administrator, for a test to play the services around the one it hosts: it
/// publishes their events and listens to what the hosted service publishes. The hosted service's own bus cannot:
/// its broker user may publish only the service's own events and use only its own queues (docs/messaging.md).
/// </summary>
public sealed class OtherServicesBus : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly IBusControl _bus;

    private OtherServicesBus(ServiceProvider services)
    {
        _services = services;
        _bus = services.GetRequiredService<IBusControl>();
    }

    public IBus Bus => _bus;

    public static async Task<OtherServicesBus> StartAsync(Uri administrator, CancellationToken cancellationToken)
    {
        var userInfo = administrator.UserInfo.Split(':', 2);
        var services = new ServiceCollection()
            .AddMassTransit(x =>
            {
                x.DisableUsageTelemetry();
                x.UsingRabbitMq((_, cfg) =>
                {
                    cfg.Host(administrator.Host, (ushort)administrator.Port, "/", h =>
                    {
                        h.Username(Uri.UnescapeDataString(userInfo[0]));
                        h.Password(Uri.UnescapeDataString(userInfo[1]));
                        h.PublisherConfirmation = true;
                        h.ConnectionName("tests: the other services");
                    });
                });
            })
            .BuildServiceProvider();
        var bus = new OtherServicesBus(services);
        await bus._bus.StartAsync(cancellationToken);
        return bus;
    }

    public async ValueTask DisposeAsync()
    {
        await _bus.StopAsync();
        await _services.DisposeAsync();
    }
}
