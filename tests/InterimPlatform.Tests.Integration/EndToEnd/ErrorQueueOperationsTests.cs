using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using InterimPlatform.AppHost.Operations;
using InterimPlatform.Tests.Integration.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace InterimPlatform.Tests.Integration.EndToEnd;

/// <summary>
/// Error queues operated as the on-call engineer does from the dashboard, through Aspire's own notifications and
/// command API on the running platform: a parked message shows as a Degraded queue under its service, Peek tells
/// what and why, Replay sends it back to be consumed, and a partner's rejected message is refused a replay.
/// </summary>
[Collection(AspirePlatformCollection.Name)]
public sealed class ErrorQueueOperationsTests(AspirePlatform platform)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Every_queue_a_service_consumes_is_operated_from_the_dashboard()
    {
        using var ops = platform.Client("ops");
        foreach (var service in new[] { "candidates", "engagements", "matching" })
        {
            var reported = await ops.GetFromJsonAsync<List<JsonElement>>($"/api/{service}/messaging/error-queues");
            var queues = reported!.Select(q => q.GetProperty("queue").GetString()).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(OperatedQueues.All.Where(q => q.Service == service).Select(q => q.Queue).Order(StringComparer.Ordinal), queues);
        }
    }

    [Fact]
    public async Task A_parked_message_turns_its_queue_and_service_degraded_and_replay_gets_it_consumed()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var queue = OperatedQueues.All.Single(q => q.Queue == PlatformMessages.RegisteredQueue);
        var candidateId = Guid.NewGuid();
        var messageId = await PlatformMessages.ParkCandidateRegisteredAsync(platform, candidateId, "the read model was locked", timeout.Token);

        var degraded = await platform.App.ResourceNotifications.WaitForResourceAsync(queue.ResourceName,
            e => e.Snapshot.HealthStatus == HealthStatus.Degraded, timeout.Token);
        Assert.False(degraded.Snapshot.IsHidden);
        Assert.Equal("matching", degraded.Snapshot.Properties.Single(p => p.Name == "Service").Value);
        Assert.Contains("1 message in matching-candidate-registered_error", degraded.Snapshot.HealthReports.Single(r => r.Name == queue.ResourceName + "-depth").Description, StringComparison.Ordinal);
        // The service shows it too, from its next health check (Aspire checks a healthy resource every 30 s).
        var service = await platform.App.ResourceNotifications.WaitForResourceAsync("matching",
            e => e.Snapshot.HealthReports.Any(r => r.Name == "matching-error-queues" && r.Status == HealthStatus.Degraded), timeout.Token);
        Assert.Equal(HealthStatus.Degraded, service.Snapshot.HealthStatus);

        var peek = await ExecuteAsync(queue.ResourceName, ErrorQueueCommands.Peek, null, timeout.Token);
        Assert.True(peek.Success, peek.Message);
        Assert.Equal(CommandResultFormat.Markdown, peek.Data?.Format);
        Assert.Contains(messageId, peek.Data!.Value, StringComparison.Ordinal);
        Assert.Contains("the read model was locked", peek.Data.Value, StringComparison.Ordinal);

        var replay = await ExecuteAsync(queue.ResourceName, ErrorQueueCommands.Replay, messageId, timeout.Token);
        Assert.True(replay.Success, replay.Message);
        Assert.Equal("Moved 1 message back to matching-candidate-registered.", replay.Message);

        // Matching consumed it: the candidate is in its pool; the queue empties, and the service recovers.
        using var recruiter = platform.Client("recruiter");
        await Eventually.GetAsync(async () => (await recruiter.GetAsync($"/api/matching/candidates/{candidateId}", timeout.Token)).IsSuccessStatusCode ? "found" : null,
            Patience, "the replayed candidate in Matching's pool");
        var empty = await platform.App.ResourceNotifications.WaitForResourceAsync(queue.ResourceName, e => e.Snapshot.IsHidden, timeout.Token);
        Assert.Equal(ErrorQueueView.EmptyState, empty.Snapshot.State?.Text);
        await platform.App.ResourceNotifications.WaitForResourceAsync("matching", e => e.Snapshot.HealthStatus == HealthStatus.Healthy, timeout.Token);
    }

    [Fact]
    public async Task A_gateway_restarted_while_a_service_is_degraded_starts_without_waiting_for_someone_to_clear_it()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var queue = OperatedQueues.All.Single(q => q.Queue == PlatformMessages.RegisteredQueue);
        var messageId = await PlatformMessages.ParkCandidateRegisteredAsync(platform, Guid.NewGuid(), "the read model was locked", timeout.Token);
        try
        {
            await platform.App.ResourceNotifications.WaitForResourceAsync("matching", e => e.Snapshot.HealthStatus == HealthStatus.Degraded, timeout.Token);
            await platform.ExecuteCommandAsync("gateway", KnownResourceCommands.StopCommand, timeout.Token);
            await platform.App.ResourceNotifications.WaitForResourceAsync("gateway", KnownResourceStates.TerminalStates, timeout.Token);

            await platform.ExecuteCommandAsync("gateway", KnownResourceCommands.StartCommand, timeout.Token);
            await platform.WaitUntilHealthyAsync(["gateway"], timeout.Token);

            using var recruiter = platform.Client("recruiter");
            var response = await recruiter.GetAsync("/api/matching/candidates", timeout.Token);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            Assert.True(platform.App.ResourceNotifications.TryGetCurrentState("matching", out var matching));
            Assert.Equal(HealthStatus.Degraded, matching.Snapshot.HealthStatus);
        }
        finally
        {
            var discard = await ExecuteAsync(queue.ResourceName, ErrorQueueCommands.Discard, messageId, CancellationToken.None);
            Assert.True(discard.Success, discard.Message);
        }
    }

    [Fact]
    public async Task A_partners_rejected_message_shows_who_sent_it_and_why_and_is_refused_a_replay_but_can_be_discarded()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var queue = OperatedQueues.All.Single(q => q.Queue == "candidates-partner-intake");
        var messageId = await PlatformMessages.PushInvalidPartnerMessageAsync(platform, "globalise", timeout.Token);
        await platform.App.ResourceNotifications.WaitForResourceAsync(queue.ResourceName, e => e.Snapshot.HealthStatus == HealthStatus.Degraded, timeout.Token);

        var peek = await ExecuteAsync(queue.ResourceName, ErrorQueueCommands.Peek, null, timeout.Token);
        var replay = await ExecuteAsync(queue.ResourceName, ErrorQueueCommands.Replay, messageId, timeout.Token);
        var discard = await ExecuteAsync(queue.ResourceName, ErrorQueueCommands.Discard, messageId, timeout.Token);
        var again = await ExecuteAsync(queue.ResourceName, ErrorQueueCommands.Discard, messageId, timeout.Token);

        Assert.True(peek.Success, peek.Message);
        var row = peek.Data!.Value.Split('\n').Single(l => l.Contains(messageId, StringComparison.Ordinal));
        Assert.Contains("| globalise |", row, StringComparison.Ordinal);
        Assert.Contains("partnerPersonId: required", row, StringComparison.Ordinal);
        Assert.Matches(@"\| \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \|", row);
        Assert.False(replay.Success);
        Assert.Contains("would reject the message again", replay.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", replay.Message, StringComparison.Ordinal);
        Assert.True(discard.Success, discard.Message);
        Assert.Equal("Deleted 1 message from candidates-partner-intake_error.", discard.Message);
        Assert.True(again.Success, again.Message);
        Assert.StartsWith("Deleted 0 messages", again.Message, StringComparison.Ordinal);
        Assert.Contains(messageId, again.Message, StringComparison.Ordinal);
        await platform.App.ResourceNotifications.WaitForResourceAsync(queue.ResourceName, e => e.Snapshot.IsHidden, timeout.Token);
    }

    [Fact]
    public async Task Peek_of_an_empty_queue_says_so()
    {
        var peek = await ExecuteAsync("engagements-candidate-erased-error", ErrorQueueCommands.Peek, null, CancellationToken.None);

        Assert.True(peek.Success, peek.Message);
        Assert.Equal("engagements-candidate-erased_error is empty: there is nothing to show.", peek.Message);
    }

    private Task<ExecuteCommandResult> ExecuteAsync(string resource, string command, string? messageIds, CancellationToken cancellationToken)
    {
        var commands = platform.App.Services.GetRequiredService<ResourceCommandService>();
        return messageIds is null
            ? commands.ExecuteCommandAsync(resource, command, cancellationToken)
            : commands.ExecuteCommandAsync(resource, command, new InteractionInputCollection([new InteractionInput
            {
                Name = ErrorQueueCommands.MessageIdsArgument,
                InputType = InputType.Text,
                Value = messageIds,
            }]), cancellationToken);
    }
}
