using System.Net;
using System.Net.Http.Json;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Matching.Data;
using InterimPlatform.Matching.Pool;
using InterimPlatform.Messaging.Inbox;
using InterimPlatform.Messaging.Operations;
using InterimPlatform.Tests.Integration.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace InterimPlatform.Tests.Integration.Services;

[Collection(PlatformServersCollection.Name)]
public sealed class MatchingServiceTests(PlatformServers servers) : IAsyncLifetime
{
    private ServiceHost<MatchingDbContext> _service = null!;

    public async Task InitializeAsync()
    {
        _service = new ServiceHost<MatchingDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:matchingdb"] = await servers.CreateDatabaseAsync("matching"),
            ["ConnectionStrings:messaging"] = servers.MessagingConnectionString,
        });
        await _service.WaitUntilHealthyAsync();
    }

    [Fact]
    public async Task A_message_delivered_twice_is_applied_once()
    {
        var consumed = new ConsumedMessages();
        var bus = _service.Services.GetRequiredService<IBus>();
        using var observer = bus.ConnectConsumeObserver(consumed);
        var messageId = NewId.NextGuid();
        var candidateId = Guid.NewGuid();
        var original = new CandidateRegistered(candidateId, "Ingrid Dahl", "NO", DateTimeOffset.UtcNow);

        await bus.Publish(original, context => context.MessageId = messageId);
        var client = _service.CreateClient();
        await Eventually.GetAsync(() => GetProfileAsync(client, candidateId), TimeSpan.FromSeconds(30), "the profile in Matching");
        // The same message id again, with different content: a redelivery must not change anything.
        await bus.Publish(original with { FullName = "Changed By A Duplicate" }, context => context.MessageId = messageId);
        await consumed.WaitForAsync(messageId, times: 2, TimeSpan.FromSeconds(30));

        var profile = await GetProfileAsync(client, candidateId);
        Assert.NotNull(profile);
        Assert.Equal("Ingrid Dahl", profile.FullName);
        await using var scope = _service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MatchingDbContext>();
        Assert.Equal(1, await db.Set<InboxMessage>().CountAsync(m => m.MessageId == messageId));
        Assert.Equal(1, await db.CandidateProfiles.CountAsync(p => p.CandidateId == candidateId));
    }

    [Fact]
    public async Task Unknown_candidates_are_404_and_bad_paging_is_a_problem()
    {
        var client = _service.CreateClient();

        var missing = await client.GetAsync($"/api/matching/candidates/{Guid.NewGuid()}");
        var badPage = await client.GetAsync("/api/matching/candidates?take=100000");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badPage.StatusCode);
        Assert.Equal("application/problem+json", badPage.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Ops_see_the_services_error_queues_and_unknown_queues_are_a_problem()
    {
        var client = _service.CreateClient();

        var queues = await client.GetFromJsonAsync<List<ErrorQueueSummary>>("/api/matching/messaging/error-queues");
        var peek = await client.GetAsync("/api/matching/messaging/error-queues/matching-candidate-registered/messages");
        var unknown = await client.PostAsync("/api/matching/messaging/error-queues/somebody-elses-queue/replay", null);
        var missing = await client.DeleteAsync($"/api/matching/messaging/error-queues/matching-candidate-registered/messages/{Guid.NewGuid()}");

        var queue = Assert.Single(queues!);
        Assert.Equal("matching-candidate-registered", queue.Queue);
        Assert.Equal("matching-candidate-registered_error", queue.ErrorQueue);
        Assert.Equal(HttpStatusCode.OK, peek.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Health_includes_the_outbox_backlog()
    {
        var client = _service.CreateClient();

        using var report = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/health"));

        var outbox = report.RootElement.GetProperty("checks").GetProperty("outbox");
        Assert.Equal("Healthy", outbox.GetProperty("status").GetString());
        Assert.StartsWith("0 events waiting", outbox.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    private static async Task<CandidateProfileResponse?> GetProfileAsync(HttpClient client, Guid candidateId)
    {
        var response = await client.GetAsync($"/api/matching/candidates/{candidateId}");
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<CandidateProfileResponse>() : null;
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();
}
