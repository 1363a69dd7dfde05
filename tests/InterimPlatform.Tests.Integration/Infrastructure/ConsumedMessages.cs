using System.Collections.Concurrent;
using MassTransit;

namespace InterimPlatform.Tests.Integration.Infrastructure;

/// <summary>Counts finished consumptions per message id, so a test knows a redelivery has been handled.</summary>
public sealed class ConsumedMessages : IConsumeObserver
{
    private readonly ConcurrentDictionary<Guid, int> _counts = new();

    public int Count(Guid messageId) => _counts.GetValueOrDefault(messageId);

    public Task WaitForAsync(Guid messageId, int times, TimeSpan timeout) =>
        Eventually.GetAsync(() => Task.FromResult(Count(messageId) >= times ? "done" : null), timeout, $"message {messageId} to be consumed {times} times");

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        _counts.AddOrUpdate(context.MessageId!.Value, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}
