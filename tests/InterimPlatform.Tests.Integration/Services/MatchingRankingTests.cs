using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Contracts.Engagements.V1;
using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Matching.Data;
using InterimPlatform.Matching.Shortlists;
using InterimPlatform.Messaging.Operations;
using InterimPlatform.Tests.Integration.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace InterimPlatform.Tests.Integration.Services;

/// <summary>Matching's ranking, shortlists and their audit trail, against real PostgreSQL and RabbitMQ.</summary>
[Collection(PlatformServersCollection.Name)]
public sealed class MatchingRankingTests(PlatformServers servers) : IAsyncLifetime
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);
    private static readonly DateOnly Start = Today.AddDays(14);

    private static readonly CandidateProfile FinanceLeader = new(
        "Ingrid Dahl", "DE", "Hamburg", false, true, false,
        [new LanguageSkill("de", "native"), new LanguageSkill("en", "fluent")],
        ["executive"], ["finance"], ["manufacturing"], ["restructuring", "ifrs", "sap"], ["crisis"],
        [new PastAssignment("manufacturing", "Interim CFO", "crisis", "executive", 9, "exceeded", 5, Today.AddMonths(-3))],
        1400m, "EUR");

    private static readonly MatchBrief Brief = new(
        "crisis", "senior-management", "finance", "manufacturing", "DE", false,
        [new LanguageRequirement("de", "professional")], ["restructuring"], ["ifrs", "sap", "cash management"],
        Start, 26, 5, new DayRateBudget(1200, 1600, "EUR"));

    private readonly ConsumedMessages _consumed = new();
    private string _database = "";
    private ServiceHost<MatchingDbContext> _service = null!;
    private IBus _bus = null!;

    public async Task InitializeAsync()
    {
        _database = await servers.CreateDatabaseAsync("matching");
        await StartServiceAsync();
    }

    [Fact]
    public async Task An_over_qualified_available_vetted_candidate_ranks_first_and_an_unvetted_perfect_match_is_filtered_out_with_explanations()
    {
        var overQualified = await RegisterAsync(FinanceLeader, Approved);
        var perfectButUnvetted = await RegisterAsync(FinanceLeader with { FullName = "Perfect Match", Levels = ["senior-management"] }, new CandidateVetting("interviewed", null));
        var availableLate = await RegisterAsync(FinanceLeader with { FullName = "Later Leader" }, Approved, new CandidateAvailability(Start.AddDays(10), null, 0, 5));
        var oneLevelBelow = await RegisterAsync(FinanceLeader with { FullName = "Middle Leader", Levels = ["middle-management"] }, Approved);
        var noRestructuring = await RegisterAsync(FinanceLeader with { FullName = "No Restructuring", Skills = ["ifrs"] }, Approved);

        var response = await Client.PostAsJsonAsync("/api/matching/rankings", new RankingRequestBody(Brief, 10));
        var shortlist = (await response.Content.ReadFromJsonAsync<ShortlistView>())!;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/matching/shortlists/{shortlist.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal([overQualified, oneLevelBelow, availableLate], shortlist.Candidates.Select(c => c.CandidateId));
        Assert.DoesNotContain(shortlist.Candidates, c => c.CandidateId == perfectButUnvetted || c.CandidateId == noRestructuring);
        Assert.Equal(5, shortlist.Considered);
        Assert.Equal(3, shortlist.Eligible);
        Assert.Equal(1, shortlist.FilteredOut["not-vetted"]);
        Assert.Equal(1, shortlist.FilteredOut["missing-must-have-skills"]);

        var first = shortlist.Candidates[0];
        Assert.Equal(1000, Criterion(first, "level").Points);
        Assert.Contains("one level above", Criterion(first, "level").Evidence, StringComparison.Ordinal);
        Assert.Contains("2 of 3 nice-to-have skills: ifrs, sap; missing: cash management", Criterion(first, "skills").Evidence, StringComparison.Ordinal);
        Assert.Equal(300, Criterion(shortlist.Candidates[1], "level").Points);
        Assert.Equal(286, Criterion(shortlist.Candidates[2], "availability").Points); // 10 of the 14 days' tolerance for a crisis
        Assert.Contains("10 days after the wanted start", Criterion(shortlist.Candidates[2], "availability").Evidence, StringComparison.Ordinal);
        // The explanation adds up to the score.
        foreach (var candidate in shortlist.Candidates)
        {
            var total = candidate.Criteria.Sum(c => (decimal)c.Weight * c.Points);
            Assert.Equal(Math.Round(total / candidate.Criteria.Sum(c => c.Weight) / 10m, 2, MidpointRounding.AwayFromZero), candidate.Score);
        }
    }

    [Fact]
    public async Task Candidates_in_vetting_can_be_included_and_are_flagged()
    {
        var inVetting = await RegisterAsync(FinanceLeader, new CandidateVetting("references-checked", null));
        var expired = await RegisterAsync(FinanceLeader with { FullName = "Expired Approval" }, new CandidateVetting("approved", Today.AddDays(-1)));

        var shortlist = await RankAsync(new RankingRequestBody(Brief, 10, IncludeCandidatesInVetting: true));

        Assert.Equal(["in-vetting"], shortlist.Candidates.Single(c => c.CandidateId == inVetting).Flags);
        Assert.Equal(["re-vetting-due"], shortlist.Candidates.Single(c => c.CandidateId == expired).Flags);
    }

    [Fact]
    public async Task A_bad_brief_is_a_problem_listing_each_bad_field()
    {
        var response = await Client.PostAsJsonAsync("/api/matching/rankings", new RankingRequestBody(
            Brief with { Level = "boss", StartDate = default, DaysPerWeek = 9, Budget = new DayRateBudget(2000, 1000, "euro") }, 500));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var fields = problem.RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        Assert.Equal(["brief.budget.currency", "brief.budget.min", "brief.daysPerWeek", "brief.level", "brief.startDate", "top"], fields.Order());
    }

    [Fact]
    public async Task Shortlists_are_stored_with_inputs_and_weights_and_record_who_pinned_or_removed_whom_and_why()
    {
        var ranked = await RegisterAsync(FinanceLeader, Approved);
        var second = await RegisterAsync(FinanceLeader with { FullName = "Second Leader", DayRate = 1900m }, Approved);
        var unvetted = await RegisterAsync(FinanceLeader with { FullName = "Client Favourite" }, new CandidateVetting("screened", null));
        var shortlist = await RankAsync(new RankingRequestBody(Brief, 5));

        var pin = await OverrideAsync(shortlist.Id, new OverrideRequest(unvetted, "pin", "The client asked for her by name."), actor: "recruiter.anna");
        var remove = await OverrideAsync(shortlist.Id, new OverrideRequest(ranked, "remove", "Declined: on holiday in December."), actor: "recruiter.ben");
        var noReason = await OverrideAsync(shortlist.Id, new OverrideRequest(second, "pin", " "));
        var unknownShortlist = await OverrideAsync(Guid.NewGuid(), new OverrideRequest(second, "pin", "Because."));
        var unknownCandidate = await OverrideAsync(shortlist.Id, new OverrideRequest(Guid.NewGuid(), "pin", "Because."));

        Assert.Equal(HttpStatusCode.Created, pin.StatusCode);
        Assert.Equal(HttpStatusCode.Created, remove.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownShortlist.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknownCandidate.StatusCode);

        var view = (await Client.GetFromJsonAsync<ShortlistView>($"/api/matching/shortlists/{shortlist.Id}"))!;
        Assert.Equal([unvetted, second], view.Candidates.Select(c => c.CandidateId));
        Assert.True(view.Candidates[0].Pinned);
        Assert.Null(view.Candidates[0].Rank);
        Assert.Equal("not-vetted", view.Candidates[0].Exclusion);

        var audit = (await Client.GetFromJsonAsync<ShortlistAudit>($"/api/matching/shortlists/{shortlist.Id}/audit"))!;
        Assert.Equal(Brief.NiceToHaveSkills, audit.Brief.NiceToHaveSkills);
        Assert.Equal("2026-11-23.1", audit.WeightsVersion);
        Assert.Equal(35, audit.Weights.Availability); // the crisis weights
        Assert.Equal([ranked, second], audit.RankedCandidates.Select(c => c.CandidateId));
        Assert.Equal(
            [("pin", unvetted, "recruiter.anna", "The client asked for her by name."), ("remove", ranked, "recruiter.ben", "Declined: on holiday in December.")],
            audit.Overrides.Select(o => (o.Action, o.CandidateId, o.Actor, o.Reason)));
    }

    [Fact]
    public async Task A_match_request_yields_a_stored_shortlist_event_and_the_same_request_again_the_same_shortlist()
    {
        var candidate = await RegisterAsync(FinanceLeader, Approved);
        var excluded = await RegisterAsync(FinanceLeader with { FullName = "Being Replaced" }, Approved);
        var produced = new ConcurrentQueue<ShortlistProduced>();
        var endpoint = servers.OtherServices.ConnectReceiveEndpoint($"test-shortlists-{Guid.NewGuid():N}", e => e.Handler<ShortlistProduced>(context =>
        {
            produced.Enqueue(context.Message);
            return Task.CompletedTask;
        }));
        await endpoint.Ready;
        var engagementId = Guid.NewGuid();
        var request = new MatchRequested(Guid.NewGuid(), engagementId, Brief, 20, [excluded], false, "recruiter.anna", DateTimeOffset.UtcNow);

        await PublishAsync(request);
        await PublishAsync(request); // a new message id, the same request

        await Eventually.GetAsync(() => Task.FromResult(produced.Count >= 2 ? "two" : null), TimeSpan.FromSeconds(30), "two shortlist events");
        var events = produced.ToArray();
        Assert.Equal(events[0].ShortlistId, events[1].ShortlistId);
        Assert.Equal(engagementId, events[0].EngagementId);
        Assert.Equal(request.RequestId, events[0].RequestId);
        Assert.Equal([candidate], events[0].Candidates.Select(c => c.CandidateId));
        Assert.NotEmpty(events[0].Candidates[0].Criteria);
        var list = (await Client.GetFromJsonAsync<ShortlistPage>($"/api/matching/shortlists?engagementId={engagementId}"))!;
        Assert.Equal(1, list.Total);
        Assert.Equal(("engagement", "recruiter.anna"), (list.Items[0].Kind, list.Items[0].RequestedBy));
        await endpoint.StopAsync();
    }

    [Fact]
    public async Task An_invalid_match_request_goes_to_the_error_queue_with_the_reason_and_the_consumer_keeps_going()
    {
        await RegisterAsync(FinanceLeader, Approved);
        var bad = new MatchRequested(Guid.NewGuid(), Guid.NewGuid(), Brief with { Level = "boss", DurationWeeks = 0 }, 20, [], false, "recruiter", DateTimeOffset.UtcNow);
        var good = new MatchRequested(Guid.NewGuid(), Guid.NewGuid(), Brief, 20, [], false, "recruiter", DateTimeOffset.UtcNow);

        await servers.OtherServices.Publish(bad);
        await PublishAsync(good);

        var failed = await Eventually.GetAsync(
            async () => (await Client.GetFromJsonAsync<List<FailedMessage>>("/api/matching/messaging/error-queues/matching-match-requested/messages"))!
                .FirstOrDefault(m => m.FaultMessage?.StartsWith("Invalid match request", StringComparison.Ordinal) == true),
            TimeSpan.FromSeconds(30),
            "the bad request in the error queue");
        Assert.Contains("brief.level: One of:", failed.FaultMessage, StringComparison.Ordinal);
        Assert.Contains("brief.durationWeeks: Between 1 and 520.", failed.FaultMessage, StringComparison.Ordinal);
        var stored = (await Client.GetFromJsonAsync<ShortlistPage>($"/api/matching/shortlists?engagementId={good.EngagementId}"))!;
        Assert.Equal(1, stored.Total);
        Assert.Equal(0, (await Client.GetFromJsonAsync<ShortlistPage>($"/api/matching/shortlists?engagementId={bad.EngagementId}"))!.Total);
    }

    [Fact]
    public async Task A_candidate_placed_elsewhere_during_the_engagement_is_not_shortlisted_until_the_placement_ends()
    {
        var candidate = await RegisterAsync(FinanceLeader, Approved);
        var engagement = Guid.NewGuid();
        var placement = new CandidatePlaced(Guid.NewGuid(), Guid.NewGuid(), candidate, Start.AddDays(-30), Start.AddDays(30), 1400m, "EUR", DateTimeOffset.UtcNow);

        await PublishAsync(placement);
        var whilePlaced = await RankAsync(new RankingRequestBody(Brief, 5));
        var forTheSameEngagement = await RankAsync(new RankingRequestBody(Brief, 5, EngagementId: placement.EngagementId));
        await PublishAsync(new PlacementEnded(placement.PlacementId, placement.EngagementId, candidate, Start.AddDays(-1), "completed", DateTimeOffset.UtcNow));
        var afterItEnded = await RankAsync(new RankingRequestBody(Brief, 5, EngagementId: engagement));

        Assert.Empty(whilePlaced.Candidates);
        Assert.Equal(1, whilePlaced.FilteredOut["placed-elsewhere"]);
        Assert.Equal([candidate], forTheSameEngagement.Candidates.Select(c => c.CandidateId));
        Assert.Equal([candidate], afterItEnded.Candidates.Select(c => c.CandidateId));
    }

    [Fact]
    public async Task An_erased_candidate_leaves_the_index_and_stored_shortlists_keep_no_personal_field()
    {
        var erased = await RegisterAsync(FinanceLeader with { FullName = "Solveig Erasable" }, Approved);
        var shortlist = await RankAsync(new RankingRequestBody(Brief, 5));
        await OverrideAsync(shortlist.Id, new OverrideRequest(erased, "pin", "Solveig Erasable is the client's favourite."));

        await PublishAsync(new CandidateErased(erased, DateTimeOffset.UtcNow));

        var after = await RankAsync(new RankingRequestBody(Brief, 5));
        Assert.Empty(after.Candidates);
        var audit = (await Client.GetFromJsonAsync<ShortlistAudit>($"/api/matching/shortlists/{shortlist.Id}/audit"))!;
        var entry = audit.RankedCandidates.Single();
        Assert.Null(entry.FullName);
        Assert.All(entry.Criteria, c => Assert.Equal("", c.Evidence));
        Assert.NotEqual(0m, entry.Score); // the score stays accountable
        Assert.Equal("[erased]", audit.Overrides.Single().Reason);
        Assert.Equal(0, await PersonalData.CountRowsMentioningAsync(_database, "Solveig"));
    }

    [Fact]
    public async Task A_restarted_service_rebuilds_the_same_index_from_its_database()
    {
        for (var i = 0; i < 30; i++)
        {
            await RegisterAsync(
                FinanceLeader with { FullName = $"Leader {i}", DayRate = 1000m + 37 * i, Skills = i % 3 == 0 ? ["restructuring", "sap"] : ["restructuring", "ifrs"] },
                i % 5 == 0 ? new CandidateVetting("screened", null) : Approved,
                new CandidateAvailability(Start.AddDays(i % 7), null, i % 4 * 7, 5 - i % 2));
        }

        var before = await RankAsync(new RankingRequestBody(Brief, 30));
        var indexBefore = (await Client.GetFromJsonAsync<IndexView>("/api/matching/index"))!;
        await _service.DisposeAsync();
        await StartServiceAsync();
        var after = await RankAsync(new RankingRequestBody(Brief, 30));
        var indexAfter = (await Client.GetFromJsonAsync<IndexView>("/api/matching/index"))!;

        Assert.Equal(24, before.Candidates.Count);
        Assert.Equal(30, indexBefore.Candidates);
        Assert.Equal(30, indexAfter.LoadedAtStart);
        Assert.Equal(
            before.Candidates.Select(c => (c.CandidateId, c.Score, string.Join("|", c.Criteria.Select(k => $"{k.Criterion}:{k.Points}:{k.Evidence}")))),
            after.Candidates.Select(c => (c.CandidateId, c.Score, string.Join("|", c.Criteria.Select(k => $"{k.Criterion}:{k.Points}:{k.Evidence}")))));
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_every_endpoint_with_examples()
    {
        var document = await Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(
            new HashSet<string>
            {
                "/api/matching/rankings", "/api/matching/shortlists", "/api/matching/shortlists/{id}", "/api/matching/shortlists/{id}/audit",
                "/api/matching/shortlists/{id}/overrides", "/api/matching/weights", "/api/matching/index", "/api/matching/candidates",
                "/api/matching/candidates/{id}", "/api/matching/messaging/error-queues",
            },
            paths);
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.Equal("crisis", schemas.GetProperty("RankingRequestBody").GetProperty("examples")[0].GetProperty("brief").GetProperty("engagementType").GetString());
        Assert.Equal("pin", schemas.GetProperty("OverrideRequest").GetProperty("examples")[0].GetProperty("action").GetString());
        Assert.True(schemas.GetProperty("IndexView").GetProperty("examples")[0].GetProperty("followingChanges").GetBoolean());
        Assert.True(schemas.GetProperty("IndexView").GetProperty("properties").TryGetProperty("lastReconciledAt", out _));
    }

    private static readonly CandidateVetting Approved = new("approved", Today.AddYears(1));

    private HttpClient Client => _service.CreateClient();

    private static CriterionScore Criterion(ShortlistCandidateView candidate, string name) => candidate.Criteria.Single(c => c.Criterion == name);

    private async Task StartServiceAsync()
    {
        _service = new ServiceHost<MatchingDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:matchingdb"] = _database,
            ["ConnectionStrings:messaging"] = servers.ServiceMessagingConnectionString("matching"),
        });
        await _service.WaitUntilHealthyAsync();
        _bus = _service.Services.GetRequiredService<IBus>();
        _bus.ConnectConsumeObserver(_consumed);
    }

    private async Task<Guid> RegisterAsync(CandidateProfile profile, CandidateVetting vetting, CandidateAvailability? availability = null)
    {
        var id = Guid.NewGuid();
        await PublishAsync(new CandidateRegistered(id, profile, availability ?? new CandidateAvailability(Today, null, 0, 5), vetting, DateTimeOffset.UtcNow));
        return id;
    }

    private async Task<ShortlistView> RankAsync(RankingRequestBody request)
    {
        var response = await Client.PostAsJsonAsync("/api/matching/rankings", request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ShortlistView>())!;
    }

    private Task<HttpResponseMessage> OverrideAsync(Guid shortlistId, OverrideRequest request, string actor = "recruiter")
    {
        var message = new HttpRequestMessage(HttpMethod.Post, $"/api/matching/shortlists/{shortlistId}/overrides") { Content = JsonContent.Create(request) };
        message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ServiceHost<MatchingDbContext>.TokenFor(actor));
        return Client.SendAsync(message);
    }

    /// <summary>Publishes and waits until Matching has consumed the message.</summary>
    private async Task PublishAsync<T>(T message) where T : class
    {
        var id = NewId.NextGuid();
        await servers.OtherServices.Publish(message, context => context.MessageId = id);
        await _consumed.WaitForAsync(id, 1, TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();
}
