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
    private static readonly CandidateProfile Profile = new(
        "Ingrid Dahl", "NO", "Oslo", true, true, false,
        [new LanguageSkill("no", "native")], ["executive"], ["finance"], ["energy"], ["ifrs"], ["crisis"], [], 1500m, "EUR");

    private ServiceHost<MatchingDbContext> _service = null!;
    private IBus _bus = null!;
    private readonly ConsumedMessages _consumed = new();

    public async Task InitializeAsync()
    {
        _service = new ServiceHost<MatchingDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:matchingdb"] = await servers.CreateDatabaseAsync("matching"),
            ["ConnectionStrings:messaging"] = servers.ServiceMessagingConnectionString("matching"),
        });
        await _service.WaitUntilHealthyAsync();
        _bus = _service.Services.GetRequiredService<IBus>();
        _bus.ConnectConsumeObserver(_consumed);
    }

    [Fact]
    public async Task A_body_with_three_type_errors_is_one_problem_naming_all_three()
    {
        var response = await _service.CreateClient().PostAsync("/api/matching/rankings", FieldErrors.Json("""
            { "brief": { "engagementType": "crisis", "level": "executive", "discipline": "finance", "startDate": "soon", "durationWeeks": "half a year" }, "top": "all" }
            """));

        var errors = await FieldErrors.AssertAsync(response, "brief.startDate", "brief.durationWeeks", "top");
        Assert.Equal("Must be a whole number.", errors.GetProperty("top")[0].GetString());
    }

    [Fact]
    public async Task Text_with_a_NUL_character_is_a_400_problem_keyed_by_its_path_before_any_work()
    {
        // The shortlist need not exist: the guard answers before the endpoint looks for it.
        var response = await _service.CreateClient().PostAsJsonAsync($"/api/matching/shortlists/{Guid.NewGuid()}/overrides", new { candidateId = Guid.NewGuid(), action = "pin", reason = "strong\u0000fit" });
        var inQuery = await _service.CreateClient().GetAsync("/api/matching/candidates?q=%00");

        await FieldErrors.AssertAsync(response, "reason");
        await FieldErrors.AssertAsync(inQuery, "q");
    }

    [Fact]
    public async Task A_message_delivered_twice_is_applied_once()
    {
        var messageId = NewId.NextGuid();
        var candidateId = Guid.NewGuid();
        var original = Registered(candidateId, DateTimeOffset.UtcNow);

        await PublishAsync(original, messageId);
        // The same message id again, with different content: a redelivery must not change anything.
        await PublishAsync(original with { Profile = Profile with { FullName = "Changed By A Duplicate" } }, messageId, times: 2);

        var candidate = await GetAsync(candidateId);
        Assert.Equal("Ingrid Dahl", candidate!.Profile!.FullName);
        await using var scope = _service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MatchingDbContext>();
        Assert.Equal(1, await db.Set<InboxMessage>().CountAsync(m => m.MessageId == messageId));
    }

    [Fact]
    public async Task Events_applied_together_fail_one_by_one_only_the_bad_one_goes_to_the_error_queue()
    {
        // Published at once, they are applied in batches; one that PostgreSQL refuses (a NUL in its text) must not
        // take the others with it.
        var good = Enumerable.Range(0, 40).Select(_ => (MessageId: NewId.NextGuid(), CandidateId: Guid.NewGuid())).ToList();
        var badMessageId = NewId.NextGuid();
        var badCandidateId = Guid.NewGuid();
        var at = DateTimeOffset.UtcNow;
        var published = good.Take(20).Select(g => servers.OtherServices.Publish(Registered(g.CandidateId, at), c => c.MessageId = g.MessageId))
            .Append(servers.OtherServices.Publish(Registered(badCandidateId, at) with { Profile = Profile with { FullName = "Ingrid\u0000Dahl" } }, c => c.MessageId = badMessageId))
            .Concat(good.Skip(20).Select(g => servers.OtherServices.Publish(Registered(g.CandidateId, at), c => c.MessageId = g.MessageId)));
        await Task.WhenAll(published);

        foreach (var (messageId, _) in good)
        {
            await _consumed.WaitForAsync(messageId, 1, TimeSpan.FromSeconds(30));
        }

        var client = _service.CreateClient();
        var failed = await Eventually.GetAsync(
            async () => (await client.GetFromJsonAsync<List<FailedMessage>>("/api/matching/messaging/error-queues/matching-candidate-registered/messages"))!
                .SingleOrDefault(m => m.MessageId == badMessageId.ToString()),
            TimeSpan.FromSeconds(90),
            "the bad event in the error queue");
        try
        {
            foreach (var (_, candidateId) in good)
            {
                Assert.Equal("Ingrid Dahl", (await GetAsync(candidateId))?.Profile?.FullName);
            }

            Assert.Null(await GetAsync(badCandidateId));
            Assert.NotNull(failed.Reason);
            Assert.Equal(0, _consumed.Count(badMessageId));
        }
        finally
        {
            await client.DeleteAsync($"/api/matching/messaging/error-queues/matching-candidate-registered/messages/{badMessageId}");
        }
    }

    [Fact]
    public async Task A_batch_of_candidate_events_is_applied_entry_by_entry_and_only_its_bad_entries_hold_it_in_the_error_queue()
    {
        const string queue = "matching-candidate-event-batch";
        var at = DateTimeOffset.UtcNow.AddMinutes(-10);
        var known = Guid.NewGuid();
        var knownRegistration = NewId.NextGuid();
        await PublishAsync(Registered(known, at), knownRegistration);
        var good = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToList();
        var bad = Guid.NewGuid();
        var faulty = new CandidateEventBatch(
        [
            .. good.Select(id => new CandidateEventBatchEntry(NewId.NextGuid(), Registered: Registered(id, at))),
            // The registration above sent again in a batch, as a dispatcher that crashed before marking it sent would.
            new CandidateEventBatchEntry(knownRegistration, Registered: Registered(known, at) with { Profile = Profile with { FullName = "Changed By A Duplicate" } }),
            new CandidateEventBatchEntry(NewId.NextGuid(), ProfileChanged: new CandidateProfileChanged(known, Profile with { DayRate = 1700m }, at.AddMinutes(5))),
            new CandidateEventBatchEntry(NewId.NextGuid(), Registered: Registered(bad, at) with { Profile = Profile with { FullName = "Ingrid\u0000Dahl" } }),
        ]);
        var lonely = Guid.NewGuid();
        var malformed = new CandidateEventBatch(
        [
            new CandidateEventBatchEntry(NewId.NextGuid(), Registered: Registered(lonely, at)),
            new CandidateEventBatchEntry(NewId.NextGuid()),
        ]);
        var faultyId = NewId.NextGuid();
        var malformedId = NewId.NextGuid();

        await servers.OtherServices.Publish(faulty, c => c.MessageId = faultyId);
        await servers.OtherServices.Publish(malformed, c => c.MessageId = malformedId);

        var client = _service.CreateClient();
        async Task<FailedMessage> ParkedAsync(Guid messageId) => await Eventually.GetAsync(
            async () => (await client.GetFromJsonAsync<List<FailedMessage>>($"/api/matching/messaging/error-queues/{queue}/messages"))!
                .SingleOrDefault(m => m.MessageId == messageId.ToString()),
            TimeSpan.FromSeconds(90),
            $"batch {messageId} in the error queue");
        try
        {
            var faultyParked = await ParkedAsync(faultyId);
            var malformedParked = await ParkedAsync(malformedId);

            foreach (var candidateId in good.Append(lonely))
            {
                Assert.Equal("Ingrid Dahl", (await GetAsync(candidateId))?.Profile?.FullName);
            }

            var knownNow = (await GetAsync(known))!;
            Assert.Equal("Ingrid Dahl", knownNow.Profile!.FullName);
            Assert.Equal(1700m, knownNow.Profile.DayRate);
            Assert.Null(await GetAsync(bad));
            Assert.NotNull(faultyParked.Reason);
            Assert.Contains("exactly one event", malformedParked.Reason);
        }
        finally
        {
            await client.DeleteAsync($"/api/matching/messaging/error-queues/{queue}/messages/{faultyId}");
            await client.DeleteAsync($"/api/matching/messaging/error-queues/{queue}/messages/{malformedId}");
        }
    }

    [Fact]
    public async Task Every_candidate_event_updates_its_facet_and_an_older_event_never_overwrites_a_newer_one()
    {
        var candidateId = Guid.NewGuid();
        var registeredAt = DateTimeOffset.UtcNow.AddMinutes(-10);
        await PublishAsync(Registered(candidateId, registeredAt));

        await PublishAsync(new CandidateVettingChanged(candidateId, new CandidateVetting("approved", new DateOnly(2028, 1, 1)), registeredAt.AddMinutes(5)));
        await PublishAsync(new CandidateVettingChanged(candidateId, new CandidateVetting("screened", null), registeredAt.AddMinutes(1))); // late
        await PublishAsync(new CandidateAvailabilityChanged(candidateId, new CandidateAvailability(new DateOnly(2027, 2, 1), null, 30, 4), registeredAt.AddMinutes(2)));
        await PublishAsync(new CandidateProfileChanged(candidateId, Profile with { DayRate = 1700m }, registeredAt.AddMinutes(3)));

        var candidate = (await GetAsync(candidateId))!;
        Assert.Equal("approved", candidate.Vetting.Status);
        Assert.Equal(new DateOnly(2027, 2, 1), candidate.Availability.AvailableFrom);
        Assert.Equal(4, candidate.Availability.DaysPerWeek);
        Assert.Equal(1700m, candidate.Profile!.DayRate);
    }

    [Fact]
    public async Task An_erased_candidate_is_purged_and_a_late_event_does_not_bring_them_back()
    {
        var candidateId = Guid.NewGuid();
        // A name no other test uses: the broker's queues are shared by the whole run, so a leftover event
        // from another test may register its own "Ingrid Dahl" here.
        var name = $"Erased {Guid.NewGuid():N}";
        var profile = Profile with { FullName = name };
        var registeredAt = DateTimeOffset.UtcNow.AddMinutes(-10);
        await PublishAsync(Registered(candidateId, registeredAt) with { Profile = profile });
        await PublishAsync(new CandidateErased(candidateId, registeredAt.AddMinutes(5)));
        await PublishAsync(new CandidateProfileChanged(candidateId, profile, registeredAt.AddMinutes(1))); // arrives after the erasure

        Assert.Null(await GetAsync(candidateId));
        await using var scope = _service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MatchingDbContext>();
        Assert.Equal(0, await PersonalData.CountRowsMentioningAsync(db.Database.GetDbConnection().ConnectionString, name));
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

        Assert.Contains(queues!, q => q is { Queue: "matching-candidate-registered", ErrorQueue: "matching-candidate-registered_error" });
        Assert.Contains(queues!, q => q.Queue == "matching-candidate-erased");
        Assert.Equal(HttpStatusCode.OK, peek.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_request_without_the_gateways_token_is_refused_and_health_stays_open()
    {
        var client = _service.CreateClient();
        client.DefaultRequestHeaders.Authorization = null;

        var anonymous = await client.GetAsync("/api/matching/candidates");
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Microsoft.Extensions.Hosting.GatewayIdentity.Issue(
            Microsoft.Extensions.Hosting.GatewayIdentity.Key(Microsoft.Extensions.Hosting.GatewayIdentity.NewSigningKey()), "forger", ["recruiter"], DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        var forged = await client.GetAsync("/api/matching/candidates");
        client.DefaultRequestHeaders.Authorization = null;
        var health = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
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

    private static CandidateRegistered Registered(Guid candidateId, DateTimeOffset at) =>
        new(candidateId, Profile, new CandidateAvailability(new DateOnly(2026, 12, 1), null, 14, 5), new CandidateVetting("sourced", null), at);

    /// <summary>Publishes and waits until Matching has consumed the message (<paramref name="times"/> in all for this id).</summary>
    private async Task PublishAsync<T>(T message, Guid? messageId = null, int times = 1) where T : class
    {
        var id = messageId ?? NewId.NextGuid();
        await servers.OtherServices.Publish(message, context => context.MessageId = id);
        await _consumed.WaitForAsync(id, times, TimeSpan.FromSeconds(30));
    }

    private async Task<PoolCandidateView?> GetAsync(Guid candidateId)
    {
        var response = await _service.CreateClient().GetAsync($"/api/matching/candidates/{candidateId}");
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<PoolCandidateView>() : null;
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();
}
