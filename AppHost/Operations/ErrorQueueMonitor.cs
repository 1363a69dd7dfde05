using System.Collections.Frozen;
using System.Net.Http.Json;
using Aspire.Hosting.ApplicationModel;
using InterimPlatform.Hosting.NativeServers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InterimPlatform.AppHost.Operations;

/// <summary>
/// Reads the depth of every error queue from RabbitMQ's management API and shows it on the queue's resource. The
/// management plugin refreshes its figures every 5 s, so reading more often shows nothing new.
/// </summary>
public sealed partial class ErrorQueueMonitor(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    TimeProvider time,
    ILogger<ErrorQueueMonitor> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private FrozenDictionary<string, long> _depths = FrozenDictionary<string, long>.Empty;
    private bool _read;
    private readonly Dictionary<string, (ErrorQueueView View, bool CommandsAvailable)> _published = [];

    /// <summary>Messages in an error queue (0 when the broker does not have it yet), or null before the first read.</summary>
    public long? DepthOf(string errorQueue)
    {
        lock (_gate)
        {
            return !_read ? null : _depths.GetValueOrDefault(errorQueue);
        }
    }

    /// <summary>Every error queue of <paramref name="service"/> that holds messages, listed or not.</summary>
    public IReadOnlyList<(string ErrorQueue, long Messages)> WaitingFor(string service, IEnumerable<string> services)
    {
        lock (_gate)
        {
            return [.. _depths.Where(d => d.Value > 0 && OperatedQueues.OwnerOf(d.Key, services) == service)
                .OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => (d.Key, d.Value))];
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var broker = model.Resources.OfType<RabbitMQNodeResource>().Single();
        var queues = model.Resources.OfType<ErrorQueueResource>().ToList();
        foreach (var queue in queues)
        {
            await PublishAsync(queue, ErrorQueueView.Of(queue.Queue.ErrorQueue, null), commandsAvailable: false);
        }

        HttpClient? http = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (notifications.TryGetCurrentState(broker.Name, out var state) && state.Snapshot.State?.Text == KnownResourceStates.Running)
                {
                    try
                    {
                        http ??= RabbitMQManagement.Client(broker.ManagementUri, broker.UserName, await broker.PasswordParameter.GetValueAsync(stoppingToken) ?? "");
                        var depths = await ReadDepthsAsync(http, stoppingToken);
                        lock (_gate)
                        {
                            _depths = depths;
                            _read = true;
                        }
                    }
                    catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                    {
                        // The broker restarting (or answering something unexpected): the queues keep their last figures
                        // until it answers again. Never let it end the loop, or the AppHost with it.
                        LogReadFailed(e.Message);
                    }
                }

                foreach (var queue in queues)
                {
                    await PublishAsync(queue, ErrorQueueView.Of(queue.Queue.ErrorQueue, DepthOf(queue.Queue.ErrorQueue)), ErrorQueueCommands.ServiceAvailable(notifications, queue.Parent.Name));
                }

                await Task.Delay(Interval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            http?.Dispose();
        }
    }

    private static async Task<FrozenDictionary<string, long>> ReadDepthsAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var queues = await http.GetFromJsonAsync<List<QueueFigures>>("api/queues/%2F?columns=name,messages", cancellationToken) ?? [];
        return queues.Where(q => q.Name.EndsWith("_error", StringComparison.Ordinal))
            .ToFrozenDictionary(q => q.Name, q => q.Messages ?? 0, StringComparer.Ordinal);
    }

    // Publishing only what changed: every update reaches each open dashboard. The commands' availability is part of
    // it, since Aspire re-evaluates a command's state only when its resource is updated.
    private async Task PublishAsync(ErrorQueueResource queue, ErrorQueueView view, bool commandsAvailable)
    {
        if (_published.TryGetValue(queue.Name, out var last) && last == (view, commandsAvailable))
        {
            return;
        }

        _published[queue.Name] = (view, commandsAvailable);
        await notifications.PublishUpdateAsync(queue, s => s with
        {
            State = new ResourceStateSnapshot(view.State, view.StateStyle),
            IsHidden = view.Hidden,
            Properties = [
                .. s.Properties.Where(p => p.Name is not (MessagesProperty or SummaryProperty or CommandsAvailableProperty)),
                new(MessagesProperty, view.Messages?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? ""),
                new(SummaryProperty, view.Description),
                new(CommandsAvailableProperty, commandsAvailable),
            ],
        });
    }

    public const string MessagesProperty = "Messages";
    public const string SummaryProperty = "Summary";
    /// <summary>Whether the owning service and the gateway run, so that the queue's commands can be carried out.</summary>
    public const string CommandsAvailableProperty = "Commands available";

    private sealed record QueueFigures(string Name, long? Messages);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Error queue depths not read: {Reason}")]
    private partial void LogReadFailed(string reason);
}
