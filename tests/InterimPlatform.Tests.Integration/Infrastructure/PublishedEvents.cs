using System.Collections.Concurrent;
using MassTransit;

namespace InterimPlatform.Tests.Integration.Infrastructure;

/// <summary>Everything of the given event types published on the broker while the test runs, through a queue of its own.</summary>
public sealed class PublishedEvents : IAsyncDisposable
{
    private readonly ConcurrentQueue<object> _events = new();
    private HostReceiveEndpointHandle _endpoint = null!;

    public static async Task<PublishedEvents> ListenAsync(IBus bus, params Type[] types)
    {
        var events = new PublishedEvents();
        events._endpoint = bus.ConnectReceiveEndpoint($"test-events-{Guid.NewGuid():N}", e =>
        {
            foreach (var type in types)
            {
                typeof(PublishedEvents).GetMethod(nameof(Capture), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                    .MakeGenericMethod(type).Invoke(null, [e, events._events]);
            }
        });
        await events._endpoint.Ready;
        return events;
    }

    public IReadOnlyList<T> All<T>() => [.. _events.OfType<T>()];

    /// <summary>Waits for the first event of type <typeparamref name="T"/> that matches.</summary>
    public Task<T> WaitForAsync<T>(Func<T, bool>? match = null) where T : class =>
        Eventually.GetAsync(() => Task.FromResult(_events.OfType<T>().FirstOrDefault(e => match?.Invoke(e) ?? true)), TimeSpan.FromSeconds(30), $"a {typeof(T).Name}");

    public async ValueTask DisposeAsync() => await _endpoint.StopAsync();

    private static void Capture<T>(IReceiveEndpointConfigurator endpoint, ConcurrentQueue<object> events) where T : class =>
        endpoint.Handler<T>(context =>
        {
            events.Enqueue(context.Message);
            return Task.CompletedTask;
        });
}
