using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Contracts.Engagements.V1;
using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Engagements.Clients;
using InterimPlatform.Engagements.Data;
using InterimPlatform.Engagements.Desk;
using InterimPlatform.Engagements.Placement;
using InterimPlatform.Engagements.Shortlisting;
using InterimPlatform.Engagements.Sla;
using InterimPlatform.Tests.Integration.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace InterimPlatform.Tests.Integration.Services;

/// <summary>The engagement desk against real PostgreSQL and RabbitMQ; Matching's answers are published by the test.</summary>
[Collection(PlatformServersCollection.Name)]
public sealed class EngagementsServiceTests(PlatformServers servers) : IAsyncLifetime
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);
    private readonly TestClock _clock = new(DateTimeOffset.UtcNow);
    private readonly ConsumedMessages _consumed = new();
    private ServiceHost<EngagementsDbContext> _service = null!;
    private PublishedEvents _events = null!;
    private HttpClient _client = null!;
    private string _database = "";

    private static MatchBrief Brief => new(
        "crisis", "senior-management", "finance", "food", "SE", false, [new LanguageRequirement("en", "fluent")],
        ["restructuring"], ["ifrs"], Today.AddDays(21), 26, 5, new DayRateBudget(1200, 1600, "EUR"));

    public async Task InitializeAsync()
    {
        _database = await servers.CreateDatabaseAsync("engagements");
        _service = new ServiceHost<EngagementsDbContext>(
            new Dictionary<string, string>
            {
                ["ConnectionStrings:engagementsdb"] = _database,
                ["ConnectionStrings:messaging"] = servers.ServiceMessagingConnectionString("engagements"),
            },
            services => services.AddSingleton<TimeProvider>(_clock));
        await _service.WaitUntilHealthyAsync();
        var bus = _service.Services.GetRequiredService<IBus>();
        bus.ConnectConsumeObserver(_consumed);
        _events = await PublishedEvents.ListenAsync(servers.OtherServices, typeof(MatchRequested), typeof(CandidatePlaced), typeof(PlacementEnded), typeof(AssignmentCompleted), typeof(SlaBreached));
        _client = _service.CreateClientAs("recruiter.anna");
    }

    [Fact]
    public async Task One_engagement_goes_from_draft_to_completed_with_every_step_recorded_and_announced()
    {
        var engagement = await OpenAsync();
        Assert.Equal(new IntakeConditions(true, true, true), engagement.Conditions);

        engagement = await PostAsync(engagement, "transitions", new TransitionRequest("intake", "Situation analysis"));
        engagement = await PostAsync(engagement, "shortlisting", new ShortlistingRequest("Brief agreed"));
        var request = await _events.WaitForAsync<MatchRequested>(r => r.EngagementId == engagement.Id);
        Assert.Equal(Brief.MustHaveSkills, request.Brief.MustHaveSkills);
        Assert.Equal("shortlisting", engagement.State);

        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        engagement = await AnswerAsync(engagement, request, first, second);
        Assert.Equal("shortlist-ready", engagement.State);
        Assert.Equal("Maria Lind", engagement.Shortlist!.Candidates[0].FullName);
        Assert.Equal("availability", engagement.Shortlist.Candidates[0].Criteria[0].Criterion);

        engagement = await PostAsync(engagement, "proposals", new ProposalRequest([first, second]));
        engagement = await PostAsync(engagement, $"proposals/{second}/decision", new DecisionRequest("declined", "No listed-company experience"));
        engagement = await PostAsync(engagement, $"proposals/{first}/decision", new DecisionRequest("accepted", null));
        engagement = await PostAsync(engagement, "placement", new PlacementRequest(first, Today.AddDays(21), Today.AddDays(200), 1450m, "EUR"));
        var placed = await _events.WaitForAsync<CandidatePlaced>(p => p.EngagementId == engagement.Id);
        Assert.Equal((first, Today.AddDays(21), Today.AddDays(200)), (placed.CandidateId, placed.StartDate, placed.EndDate));

        engagement = await PostAsync(engagement, "activation", new ActivationRequest(new ShadowManager(null, "Erik Holm"), 4));
        Assert.Equal(Today.AddDays(35), engagement.Diagnostic!.DueOn);
        Assert.Equal(Today.AddDays(49), engagement.NextReviewDue);
        engagement = await PostAsync(engagement, "diagnostic", new DiagnosticRequest("Cash weaker than reported."));
        engagement = await PostAsync(engagement, "reviews", new ReviewRequest(Today, ["client", "interim-manager", "shadow-manager"], new() { ["progress"] = 4 }, "On track"));
        Assert.Equal(Today.AddDays(28), engagement.NextReviewDue);
        engagement = await PostAsync(engagement, "transitions", new TransitionRequest("handover", "Permanent CFO starts"));
        engagement = await PostAsync(engagement, "completion", new CompletionRequest("achieved", 5, "Handed over"));

        Assert.Equal("completed", engagement.State);
        var completed = await _events.WaitForAsync<AssignmentCompleted>(a => a.EngagementId == engagement.Id);
        Assert.Equal((first, "food", "Interim CFO", "crisis", "achieved", (int?)5), (completed.CandidateId, completed.Sector, completed.Role, completed.EngagementType, completed.Outcome, completed.ClientRating));
        Assert.Equal("completed: Handed over", (await _events.WaitForAsync<PlacementEnded>(p => p.EngagementId == engagement.Id)).Reason);
        var history = (await _client.GetFromJsonAsync<List<Transition>>($"/api/engagements/{engagement.Id}/history"))!;
        Assert.Equal(["draft", "intake", "shortlisting", "shortlist-ready", "proposed", "placed", "active", "handover", "completed"], history.Select(t => t.To));
        Assert.All(history.Skip(1).Where(t => t.To != "shortlist-ready"), t => Assert.Equal("recruiter.anna", t.Actor));
        Assert.Equal("declined", engagement.Proposals.Single(p => p.CandidateId == second).Decision);
    }

    [Fact]
    public async Task An_illegal_transition_is_a_409_naming_the_allowed_ones_and_a_stale_or_missing_If_Match_is_refused()
    {
        var engagement = await OpenAsync();

        var illegal = await _client.PostAsJsonAsync($"/api/engagements/{engagement.Id}/transitions", new TransitionRequest("handover", null));
        var placement = await _client.PostAsJsonAsync($"/api/engagements/{engagement.Id}/placement", new PlacementRequest(Guid.NewGuid(), Today, Today.AddDays(9), 1000m, "EUR"));
        var withoutIfMatch = await _client.PutAsJsonAsync($"/api/engagements/{engagement.Id}", Edit(engagement, "A"));
        var current = await SendAsync(HttpMethod.Put, $"/api/engagements/{engagement.Id}", Edit(engagement, "First recruiter's title"), engagement.Version);
        var stale = await SendAsync(HttpMethod.Put, $"/api/engagements/{engagement.Id}", Edit(engagement, "Second recruiter's title"), engagement.Version);

        Assert.Equal(HttpStatusCode.Conflict, illegal.StatusCode);
        using var problem = JsonDocument.Parse(await illegal.Content.ReadAsStringAsync());
        Assert.Equal(["intake", "cancelled"], problem.RootElement.GetProperty("allowed").EnumerateArray().Select(a => a.GetString()));
        Assert.Contains("cannot move to 'handover'", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, placement.StatusCode);
        Assert.Equal((HttpStatusCode)428, withoutIfMatch.StatusCode);
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("First recruiter's title", (await GetAsync(engagement.Id)).Title);
    }

    [Fact]
    public async Task An_engagement_cannot_be_placed_without_a_sponsor_and_an_exit_plan()
    {
        var engagement = await OpenAsync(sponsor: false, exitPlan: false);
        engagement = await PostAsync(engagement, "transitions", new TransitionRequest("intake", null));
        engagement = await PostAsync(engagement, "shortlisting", new ShortlistingRequest(null));
        var candidate = Guid.NewGuid();
        engagement = await AnswerAsync(engagement, await _events.WaitForAsync<MatchRequested>(r => r.EngagementId == engagement.Id), candidate);
        engagement = await PostAsync(engagement, "proposals", new ProposalRequest([candidate]));
        engagement = await PostAsync(engagement, $"proposals/{candidate}/decision", new DecisionRequest("accepted", null));

        var response = await _client.PostAsJsonAsync($"/api/engagements/{engagement.Id}/placement", new PlacementRequest(candidate, Today, Today.AddDays(90), 1400m, "EUR"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("cannot start without a sponsor and an exit plan", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(new IntakeConditions(true, false, false), (await GetAsync(engagement.Id)).Conditions);
    }

    [Fact]
    public async Task A_replacement_ends_the_placement_excludes_the_interim_restarts_shortlisting_and_the_SLA_clock_and_waives_the_fee()
    {
        var (engagement, interim) = await ActiveEngagementAsync();
        var clockBefore = engagement.SlaClockStartedAt;
        _clock.Advance(TimeSpan.FromDays(30));
        var rerunWhileActive = await _client.PostAsJsonAsync($"/api/engagements/{engagement.Id}/shortlisting", new ShortlistingRequest(null));
        Assert.Equal(HttpStatusCode.Conflict, rerunWhileActive.StatusCode); // only a replacement ends the placement and shortlists again

        engagement = await PostAsync(engagement, "replacement", new ReplacementRequest("Client wants more ERP depth"));

        Assert.Equal("shortlisting", engagement.State);
        Assert.Equal([interim], engagement.ExcludedCandidateIds);
        Assert.Equal(1, engagement.Replacements);
        Assert.True(engagement.NextPlacementFeeWaived);
        Assert.True(engagement.SlaClockStartedAt > clockBefore);
        Assert.All(engagement.Sla, m => Assert.Null(m.ReachedAt));
        var ended = engagement.Placements.Single();
        Assert.Equal("replaced: Client wants more ERP depth", ended.EndReason);
        Assert.NotNull(ended.EndedOn);
        Assert.Equal(interim, (await _events.WaitForAsync<PlacementEnded>(p => p.EngagementId == engagement.Id)).CandidateId);
        var again = await _events.WaitForAsync<MatchRequested>(r => r.EngagementId == engagement.Id && r.ExcludedCandidateIds.Count == 1);
        Assert.Equal([interim], again.ExcludedCandidateIds);
        Assert.Equal(Brief.NiceToHaveSkills, again.Brief.NiceToHaveSkills);

        var next = Guid.NewGuid();
        engagement = await AnswerAsync(engagement, again, next);
        var replacedAgain = await SendAsync(HttpMethod.Post, $"/api/engagements/{engagement.Id}/shortlist/changes", new ShortlistChange(interim, "add", "Client changed its mind"), engagement.Version);
        Assert.Equal(HttpStatusCode.Conflict, replacedAgain.StatusCode);
        engagement = await PostAsync(engagement, "proposals", new ProposalRequest([next]));
        engagement = await PostAsync(engagement, $"proposals/{next}/decision", new DecisionRequest("accepted", null));
        engagement = await PostAsync(engagement, "placement", new PlacementRequest(next, Today.AddDays(35), Today.AddDays(200), 1400m, "EUR"));
        Assert.True(engagement.Placements[^1].FeeWaived);
        Assert.False(engagement.NextPlacementFeeWaived);
        var kpis = (await _client.GetFromJsonAsync<SlaKpis>("/api/engagements/sla/kpis"))!;
        Assert.Equal(1, kpis.Replacements);
    }

    [Fact]
    public async Task An_engagement_close_to_its_10_day_target_is_at_risk_then_breached_and_the_breach_is_announced_once()
    {
        var engagement = await OpenAsync();
        engagement = await PostAsync(engagement, "transitions", new TransitionRequest("intake", null));

        _clock.Advance(TimeSpan.FromDays(8.5));
        var atRisk = (await _client.GetFromJsonAsync<List<SlaEntry>>("/api/engagements/sla/at-risk"))!;
        var listedAtRisk = (await _client.GetFromJsonAsync<EngagementPage>("/api/engagements?atRisk=true"))!;
        _clock.Advance(TimeSpan.FromDays(2));
        var breached = (await _client.GetFromJsonAsync<List<SlaEntry>>("/api/engagements/sla/breached"))!;
        var watch = _service.Services.GetRequiredService<SlaWatch>();
        var first = await watch.ScanAsync(CancellationToken.None);
        var second = await watch.ScanAsync(CancellationToken.None);

        var entry = Assert.Single(atRisk, e => e.EngagementId == engagement.Id);
        Assert.Equal("at-risk", entry.Milestones.Single(m => m.Milestone == "proposed").Status);
        Assert.Equal(1.5, entry.Milestones.Single(m => m.Milestone == "proposed").DaysLeft);
        Assert.Contains(listedAtRisk.Items, e => e.Id == engagement.Id);
        var late = Assert.Single(breached, e => e.EngagementId == engagement.Id);
        Assert.Equal(["breached", "breached", "on-track"], late.Milestones.Select(m => m.Status));
        Assert.Equal(2, first); // shortlist-ready and proposed
        Assert.Equal(0, second);
        var announced = await _events.WaitForAsync<SlaBreached>(b => b.EngagementId == engagement.Id && b.Milestone == "proposed");
        Assert.Equal(engagement.SlaClockStartedAt!.Value.AddDays(10), announced.DueAt);
    }

    [Fact]
    public async Task An_open_engagement_11_days_into_its_clock_without_a_proposal_degrades_the_sla_check_naming_it_and_counts_in_the_breached_gauge()
    {
        var engagement = await OpenAsync();
        engagement = await PostAsync(engagement, "transitions", new TransitionRequest("intake", null));
        var watch = _service.Services.GetRequiredService<SlaWatch>();
        await watch.ScanAsync(CancellationToken.None);
        var onTime = await SlaCheckAsync();

        _clock.Advance(TimeSpan.FromDays(11));
        var due = engagement.SlaClockStartedAt!.Value.AddDays(10);
        var expected = $"1 engagement in breach of the 10-day promise: Interim CFO at Nordic Foods AB ({engagement.Id}) proposal due {due.UtcDateTime:yyyy-MM-dd}; 0 at risk";
        // Scanned in the probe: a background scan that began before the clock moved cannot leave its older reading behind.
        var late = await Eventually.GetAsync(
            async () =>
            {
                await watch.ScanAsync(CancellationToken.None);
                var check = await SlaCheckAsync();
                return check.Description == expected ? check : null;
            },
            TimeSpan.FromSeconds(30),
            "the sla check to name the engagement");
        var gauges = ObserveSlaGauges();

        Assert.Equal(("Healthy", "no engagement in breach; 0 at risk"), (onTime.Status, onTime.Description));
        Assert.Equal(HttpStatusCode.OK, late.HttpStatus); // Degraded is still 200: the gateway's failover keeps sending requests
        Assert.Equal(("Degraded", "Degraded"), (late.Overall, late.Status));
        Assert.Equal(1, gauges["interimplatform.engagements.sla.breached"]);
        Assert.Equal(0, gauges["interimplatform.engagements.sla.at_risk"]);
    }

    [Fact]
    public async Task Overdue_reviews_are_listed()
    {
        var (engagement, _) = await ActiveEngagementAsync();

        _clock.Advance(TimeSpan.FromDays(21 + 28 + 3));
        var overdue = (await _client.GetFromJsonAsync<List<OverdueReview>>("/api/engagements/reviews/overdue"))!;

        var entry = Assert.Single(overdue, o => o.EngagementId == engagement.Id);
        Assert.Equal(3, entry.DaysOverdue);
    }

    [Fact]
    public async Task An_erased_candidate_leaves_no_personal_data_but_the_history_stays()
    {
        var (engagement, interim) = await ActiveEngagementAsync(name: "Sigrid Erasable");
        engagement = await PostAsync(engagement, "reviews", new ReviewRequest(Today, ["client", "interim-manager"], null, "Sigrid Erasable is doing well"));
        engagement = await PostAsync(engagement, "replacement", new ReplacementRequest("Sigrid Erasable lacks ERP depth"));

        await PublishAsync(new CandidateErased(interim, DateTimeOffset.UtcNow));
        // A shortlist that was on its way when the person was erased brings no name back.
        var rerun = await _events.WaitForAsync<MatchRequested>(r => r.EngagementId == engagement.Id && r.ExcludedCandidateIds.Count == 1);
        await AnswerAsync(engagement, rerun, interim, name: "Sigrid Erasable");

        var after = await GetAsync(engagement.Id);
        Assert.Null(after.Placements.Single().FullName);
        Assert.Equal("replaced", after.Placements.Single().EndReason);
        Assert.Null(after.Shortlist!.Candidates.Single(c => c.CandidateId == interim).FullName);
        Assert.Equal(9, (await _client.GetFromJsonAsync<List<Transition>>($"/api/engagements/{engagement.Id}/history"))!.Count);
        Assert.Equal(0, await PersonalData.CountRowsMentioningAsync(_database, "Sigrid"));
    }

    [Fact]
    public async Task A_bad_engagement_is_a_problem_listing_each_bad_field()
    {
        var client = await CreateClientAsync();

        var response = await _client.PostAsJsonAsync("/api/engagements", new EngagementRequest(client.Id, " ", Brief with { Level = "boss", DurationWeeks = 0 }, null, null, null));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["brief.durationWeeks", "brief.level", "title"], problem.RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_every_endpoint_with_examples()
    {
        var document = await _client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(
            new HashSet<string>
            {
                "/api/engagements", "/api/engagements/{id}", "/api/engagements/{id}/transitions", "/api/engagements/{id}/history",
                "/api/engagements/{id}/shortlisting", "/api/engagements/{id}/shortlist", "/api/engagements/{id}/shortlist/changes",
                "/api/engagements/{id}/proposals", "/api/engagements/{id}/proposals/{candidateId}/decision", "/api/engagements/{id}/placement",
                "/api/engagements/{id}/activation", "/api/engagements/{id}/diagnostic", "/api/engagements/{id}/reviews", "/api/engagements/{id}/replacement",
                "/api/engagements/{id}/completion", "/api/engagements/reviews/overdue", "/api/engagements/sla/at-risk", "/api/engagements/sla/breached",
                "/api/engagements/sla/kpis", "/api/engagements/clients", "/api/engagements/clients/{id}", "/api/engagements/clients/{id}/contacts",
                "/api/engagements/messaging/error-queues",
            },
            paths);
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.Equal("Interim CFO during the ERP migration", schemas.GetProperty("EngagementRequest").GetProperty("examples")[0].GetProperty("title").GetString());
        Assert.Equal("achieved", schemas.GetProperty("CompletionRequest").GetProperty("examples")[0].GetProperty("outcome").GetString());
        Assert.True(schemas.TryGetProperty("EngagementView", out _));
    }

    private sealed record SlaCheck(HttpStatusCode HttpStatus, string Overall, string Status, string? Description);

    private async Task<SlaCheck> SlaCheckAsync()
    {
        using var response = await _client.GetAsync("/health");
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var sla = report.RootElement.GetProperty("checks").GetProperty("sla");
        return new SlaCheck(response.StatusCode, report.RootElement.GetProperty("status").GetString()!, sla.GetProperty("status").GetString()!, sla.GetProperty("description").GetString());
    }

    /// <summary>One collection of this service's SLA gauges, as the OpenTelemetry exporter would take it.</summary>
    private Dictionary<string, double> ObserveSlaGauges()
    {
        // Only this host's meter: another test's service in the same process has one of the same name.
        var meters = _service.Services.GetRequiredService<IMeterFactory>();
        var measured = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SlaMonitor.MeterName && instrument.Meter.Scope == meters)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => measured[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return measured;
    }

    private async Task<(EngagementView Engagement, Guid Interim)> ActiveEngagementAsync(string name = "Maria Lind")
    {
        var engagement = await OpenAsync();
        engagement = await PostAsync(engagement, "transitions", new TransitionRequest("intake", null));
        engagement = await PostAsync(engagement, "shortlisting", new ShortlistingRequest(null));
        var interim = Guid.NewGuid();
        engagement = await AnswerAsync(engagement, await _events.WaitForAsync<MatchRequested>(r => r.EngagementId == engagement.Id), interim, name: name);
        engagement = await PostAsync(engagement, "proposals", new ProposalRequest([interim]));
        engagement = await PostAsync(engagement, $"proposals/{interim}/decision", new DecisionRequest("accepted", null));
        engagement = await PostAsync(engagement, "placement", new PlacementRequest(interim, Today.AddDays(21), Today.AddDays(200), 1450m, "EUR"));
        engagement = await PostAsync(engagement, "activation", new ActivationRequest(new ShadowManager(null, "Erik Holm"), 4));
        return (engagement, interim);
    }

    [Fact]
    public async Task A_body_with_three_type_errors_is_one_problem_naming_all_three()
    {
        var response = await _client.PostAsync("/api/engagements", FieldErrors.Json("""
            { "clientId": "the food company", "title": 12, "brief": { "engagementType": "crisis", "startDate": "next week", "durationWeeks": 26 } }
            """));

        var errors = await FieldErrors.AssertAsync(response, "clientId", "title", "brief.startDate");
        Assert.Equal("Must be text.", errors.GetProperty("title")[0].GetString());
    }

    [Fact]
    public async Task Text_with_a_NUL_character_is_a_400_problem_keyed_by_its_path_and_nothing_is_stored()
    {
        var response = await _client.PostAsJsonAsync("/api/engagements/clients", new ClientRequest("Nordic\u0000Foods", "food"));

        await FieldErrors.AssertAsync(response, "name");
        await using var scope = _service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EngagementsDbContext>();
        Assert.Equal(0, await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.Clients));
    }

    private async Task<ClientView> CreateClientAsync()
    {
        var created = await _client.PostAsJsonAsync("/api/engagements/clients", new ClientRequest("Nordic Foods AB", "food"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<ClientView>())!;
    }

    private async Task<EngagementView> OpenAsync(bool sponsor = true, bool exitPlan = true)
    {
        var client = await CreateClientAsync();
        var contact = await _client.PostAsJsonAsync($"/api/engagements/clients/{client.Id}/contacts", new ContactRequest("Karin Lund", "CEO", "karin@example.se", null, HasAuthority: true));
        var sponsorId = (await contact.Content.ReadFromJsonAsync<ClientContact>())!.Id;
        var response = await _client.PostAsJsonAsync("/api/engagements", new EngagementRequest(
            client.Id, "Interim CFO", Brief, "CFO left suddenly", sponsor ? sponsorId : null, exitPlan ? "Hand over to the new CFO" : null));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<EngagementView>())!;
    }

    /// <summary>Answers a match request as Matching would, and waits until Engagements has taken the shortlist.</summary>
    private async Task<EngagementView> AnswerAsync(EngagementView engagement, MatchRequested request, Guid first, Guid? second = null, string name = "Maria Lind")
    {
        var criteria = new List<CriterionScore> { new("availability", 35, 1000, "can start in time"), new("level", 15, 1000, "one level above the role") };
        List<ShortlistedCandidate> ranked = [new(1, first, name, 93.5m, [], criteria), .. second is { } s ? [new ShortlistedCandidate(2, s, "Olof Berg", 88m, [], criteria)] : Array.Empty<ShortlistedCandidate>()];
        await PublishAsync(new ShortlistProduced(Guid.NewGuid(), request.RequestId, engagement.Id, "2026-11-23.1", 100, 40, ranked, DateTimeOffset.UtcNow));
        return await GetAsync(engagement.Id);
    }

    private async Task PublishAsync<T>(T message) where T : class
    {
        var id = NewId.NextGuid();
        await servers.OtherServices.Publish(message, context => context.MessageId = id);
        await _consumed.WaitForAsync(id, 1, TimeSpan.FromSeconds(30));
    }

    private async Task<EngagementView> GetAsync(Guid id) => (await _client.GetFromJsonAsync<EngagementView>($"/api/engagements/{id}"))!;

    private async Task<EngagementView> PostAsync<T>(EngagementView engagement, string action, T body)
    {
        var response = await SendAsync(HttpMethod.Post, $"/api/engagements/{engagement.Id}/{action}", body, engagement.Version);
        Assert.True(response.IsSuccessStatusCode, $"{action}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<EngagementView>())!;
    }

    private Task<HttpResponseMessage> SendAsync<T>(HttpMethod method, string path, T body, uint version)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version}\""));
        return _client.SendAsync(request);
    }

    private static EngagementRequest Edit(EngagementView e, string title) => new(e.ClientId, title, e.Brief, e.Situation, e.SponsorContactId, e.ExitPlan);

    public async Task DisposeAsync()
    {
        await _events.DisposeAsync();
        await _service.DisposeAsync();
    }
}
