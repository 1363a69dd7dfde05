using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using InterimPlatform.Candidates.Data;
using InterimPlatform.Candidates.Placements;
using InterimPlatform.Candidates.Privacy;
using InterimPlatform.Candidates.Profiles;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Contracts.Engagements.V1;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Operations;
using InterimPlatform.Messaging.Outbox;
using InterimPlatform.Tests.Integration.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace InterimPlatform.Tests.Integration.Services;

/// <summary>Candidates consuming Engagements' placement, end and completion events.</summary>
[Collection(PlatformServersCollection.Name)]
public sealed class CandidatePlacementTests(PlatformServers servers) : IAsyncLifetime
{
    private const string AvailabilityExchange = "InterimPlatform.Contracts.Candidates.V1:CandidateAvailabilityChanged";
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);
    private static readonly DateTimeOffset CompletedAt = new(2026, 11, 20, 15, 30, 0, TimeSpan.Zero);
    private ServiceHost<CandidatesDbContext> _service = null!;
    private HttpClient _client = null!;
    private IBus _bus = null!;
    private readonly ConsumedMessages _consumed = new();

    public async Task InitializeAsync()
    {
        _service = new ServiceHost<CandidatesDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:candidatesdb"] = await servers.CreateDatabaseAsync("candidates"),
            ["ConnectionStrings:messaging"] = servers.ServiceMessagingConnectionString("candidates"),
        });
        await _service.WaitUntilHealthyAsync();
        _client = _service.CreateClient();
        _bus = _service.Services.GetRequiredService<IBus>();
        _bus.ConnectConsumeObserver(_consumed);
    }

    [Fact]
    public async Task A_placement_makes_the_candidate_unavailable_until_the_day_after_it_ends_and_publishes_the_change()
    {
        // Listen on the event's exchange the way Matching would.
        var factory = new ConnectionFactory { Uri = servers.RabbitMQ.AmqpUri };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(AvailabilityExchange, ExchangeType.Fanout, durable: true);
        var queue = (await channel.QueueDeclareAsync(queue: "", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, AvailabilityExchange, routingKey: "");
        var candidate = await RegisterAsync("Astrid Berg", Today.AddDays(10));
        var etagBefore = (await _client.GetAsync($"/api/candidates/{candidate.Id}")).Headers.ETag;
        var placed = Placed(candidate.Id, Today.AddDays(30), Today.AddDays(120));

        await PublishAsync(placed);
        await PublishAsync(placed); // the same placement again, under a new message id

        var current = await _client.GetAsync($"/api/candidates/{candidate.Id}");
        Assert.Equal(Today.AddDays(121), (await current.Content.ReadFromJsonAsync<CandidateView>())!.Availability.AvailableFrom);
        Assert.NotEqual(etagBefore, current.Headers.ETag); // a recruiter's stale edit cannot undo it
        Assert.Equal([new CandidateAvailability(Today.AddDays(121), null, 14, 5)], (await EventsAsync<CandidateAvailabilityChanged>(candidate.Id)).Select(e => e.Availability));
        var placement = Assert.Single(await PlacementsAsync(candidate.Id));
        Assert.Equal(
            (placed.PlacementId, placed.EngagementId, (DateOnly?)Today.AddDays(30), (DateOnly?)Today.AddDays(120), (DateOnly?)null, (DateOnly?)Today.AddDays(10), (DateOnly?)Today.AddDays(121), (DateTimeOffset?)null),
            (placement.PlacementId, placement.EngagementId, placement.FirstDay, placement.LastDay, placement.EndedOn, placement.AvailableFromBefore, placement.AvailableFromSetTo, placement.CompletedAt));
        var delivered = await Eventually.GetAsync(() => channel.BasicGetAsync(queue, autoAck: true), TimeSpan.FromSeconds(30), "CandidateAvailabilityChanged on the broker");
        using var envelope = JsonDocument.Parse(delivered.Body);
        var message = envelope.RootElement.GetProperty("message");
        Assert.Equal(candidate.Id, message.GetProperty("candidateId").GetGuid());
        Assert.Equal(Today.AddDays(121).ToString("yyyy-MM-dd"), message.GetProperty("availability").GetProperty("availableFrom").GetString());
    }

    [Fact]
    public async Task A_placement_outside_the_candidates_availability_leaves_it_alone()
    {
        var availableLater = await RegisterAsync("Bo Ek", Today.AddDays(200));
        var placedInThePast = await RegisterAsync("Cecilia Lund", null);

        await PublishAsync(Placed(availableLater.Id, Today.AddDays(30), Today.AddDays(120)));
        await PublishAsync(Placed(placedInThePast.Id, Today.AddDays(-120), Today.AddDays(-1)));

        Assert.Equal(Today.AddDays(200), (await GetAsync(availableLater.Id)).Availability.AvailableFrom);
        Assert.Null((await GetAsync(placedInThePast.Id)).Availability.AvailableFrom);
        Assert.Empty(await EventsAsync<CandidateAvailabilityChanged>(availableLater.Id));
        Assert.Empty(await EventsAsync<CandidateAvailabilityChanged>(placedInThePast.Id));
        Assert.Null(Assert.Single(await PlacementsAsync(availableLater.Id)).AvailableFromSetTo);
        Assert.Null(Assert.Single(await PlacementsAsync(placedInThePast.Id)).AvailableFromSetTo);
    }

    [Fact]
    public async Task An_early_end_makes_the_candidate_available_from_the_day_after_it()
    {
        var candidate = await RegisterAsync("Dag Holm", null);
        var placed = Placed(candidate.Id, Today.AddDays(-10), Today.AddDays(90));

        await PublishAsync(placed);
        await PublishAsync(Ended(placed, Today.AddDays(20)));
        await PublishAsync(Ended(placed, Today.AddDays(5))); // a second end announced later does not count

        Assert.Equal(Today.AddDays(21), (await GetAsync(candidate.Id)).Availability.AvailableFrom);
        Assert.Equal([Today.AddDays(91), Today.AddDays(21)], (await EventsAsync<CandidateAvailabilityChanged>(candidate.Id)).Select(e => e.Availability.AvailableFrom));
        var placement = Assert.Single(await PlacementsAsync(candidate.Id));
        Assert.Equal(((DateOnly?)Today.AddDays(20), (DateOnly?)null, (DateOnly?)Today.AddDays(21)), (placement.EndedOn, placement.AvailableFromBefore, placement.AvailableFromSetTo));
    }

    [Fact]
    public async Task An_early_end_gives_back_the_availability_the_person_had_when_that_is_later_or_the_end_has_passed()
    {
        var availableLater = await RegisterAsync("Eva Lind", Today.AddDays(40));
        var endedInThePast = await RegisterAsync("Finn Dahl", null);
        var changedSince = await RegisterAsync("Gun Aas", null);
        var later = Placed(availableLater.Id, Today, Today.AddDays(90));
        var past = Placed(endedInThePast.Id, Today.AddDays(-30), Today.AddDays(60));
        var overridden = Placed(changedSince.Id, Today, Today.AddDays(60));

        await PublishAsync(later);
        await PublishAsync(past);
        await PublishAsync(overridden);
        var recruiterSet = await _client.PutAsJsonAsync($"/api/candidates/{changedSince.Id}/availability", new AvailabilityInput(Today.AddDays(70), null, 30));
        await PublishAsync(Ended(later, Today.AddDays(10)));
        await PublishAsync(Ended(past, Today.AddDays(-5)));
        await PublishAsync(Ended(overridden, Today.AddDays(10)));

        Assert.Equal(HttpStatusCode.OK, recruiterSet.StatusCode);
        Assert.Equal([Today.AddDays(91), Today.AddDays(40)], (await EventsAsync<CandidateAvailabilityChanged>(availableLater.Id)).Select(e => e.Availability.AvailableFrom));
        Assert.Equal([Today.AddDays(61), null], (await EventsAsync<CandidateAvailabilityChanged>(endedInThePast.Id)).Select(e => e.Availability.AvailableFrom));
        Assert.Equal([Today.AddDays(61), Today.AddDays(70)], (await EventsAsync<CandidateAvailabilityChanged>(changedSince.Id)).Select(e => e.Availability.AvailableFrom));
        Assert.Equal(Today.AddDays(70), (await GetAsync(changedSince.Id)).Availability.AvailableFrom); // the recruiter's date stands
        Assert.Null(Assert.Single(await PlacementsAsync(availableLater.Id)).AvailableFromSetTo);
        Assert.Null(Assert.Single(await PlacementsAsync(endedInThePast.Id)).AvailableFromSetTo);
    }

    [Fact]
    public async Task An_end_arriving_before_its_placement_ends_up_as_if_they_had_come_in_order()
    {
        var inOrder = await RegisterAsync("Hans Berg", Today.AddDays(3));
        var endFirst = await RegisterAsync("Ida Vik", Today.AddDays(3));
        var first = Placed(inOrder.Id, Today.AddDays(5), Today.AddDays(100));
        var second = Placed(endFirst.Id, Today.AddDays(5), Today.AddDays(100));

        await PublishAsync(first);
        await PublishAsync(Ended(first, Today.AddDays(40)));
        await PublishAsync(Ended(second, Today.AddDays(40)));
        var afterTheEndAlone = await GetAsync(endFirst.Id);
        await PublishAsync(second);

        Assert.Equal(Today.AddDays(3), afterTheEndAlone.Availability.AvailableFrom);
        Assert.Equal(Today.AddDays(41), (await GetAsync(inOrder.Id)).Availability.AvailableFrom);
        Assert.Equal(Today.AddDays(41), (await GetAsync(endFirst.Id)).Availability.AvailableFrom);
        Assert.Equal([Today.AddDays(41)], (await EventsAsync<CandidateAvailabilityChanged>(endFirst.Id)).Select(e => e.Availability.AvailableFrom));
        var expected = ((DateOnly?)Today.AddDays(5), (DateOnly?)Today.AddDays(100), (DateOnly?)Today.AddDays(40), (DateOnly?)Today.AddDays(3), (DateOnly?)Today.AddDays(41));
        foreach (var id in new[] { inOrder.Id, endFirst.Id })
        {
            var placement = Assert.Single(await PlacementsAsync(id));
            Assert.Equal(expected, (placement.FirstDay, placement.LastDay, placement.EndedOn, placement.AvailableFromBefore, placement.AvailableFromSetTo));
        }
    }

    [Fact]
    public async Task A_completion_grows_the_track_record_once_even_when_delivered_twice_with_different_message_ids()
    {
        var candidate = await RegisterAsync("Jonas Ek", Today.AddDays(10));
        var completed = Completed(candidate.Id);
        var messageId = NewId.NextGuid();

        await PublishAsync(completed, messageId);
        await PublishAsync(completed, messageId, times: 2); // redelivered as it was
        await PublishAsync(completed); // sent again under a new message id

        var expected = new PastAssignment("logistics", "Interim COO", "transformation", "executive", 7, "exceeded", 5, Today.AddDays(-3));
        var fromTheProfile = new PastAssignment("manufacturing", "Interim CFO", "crisis", "executive", 9, "achieved", 5, new DateOnly(2025, 6, 30));
        Assert.Equal([fromTheProfile, expected], (await GetAsync(candidate.Id)).TrackRecord);
        var changed = Assert.Single(await EventsAsync<CandidateProfileChanged>(candidate.Id));
        Assert.Equal(expected, changed.Profile.TrackRecord[^1]);
        Assert.Equal(2, changed.Profile.TrackRecord.Count);
        var placement = Assert.Single(await PlacementsAsync(candidate.Id));
        Assert.Equal((completed.PlacementId, (DateTimeOffset?)CompletedAt, (DateOnly?)null), (placement.PlacementId, placement.CompletedAt, placement.FirstDay));
        Assert.Equal(Today.AddDays(10), (await GetAsync(candidate.Id)).Availability.AvailableFrom); // a completion alone does not touch availability
    }

    [Fact]
    public async Task An_invalid_completion_goes_to_the_error_queue_with_the_reasons_and_changes_nothing()
    {
        var candidate = await RegisterAsync("Karin Holm", null);
        var bad = Completed(candidate.Id) with { Level = "boss", ClientRating = 9 };

        await servers.OtherServices.Publish(bad);

        var failed = await Eventually.GetAsync(
            async () => (await _client.GetFromJsonAsync<List<FailedMessage>>("/api/candidates/messaging/error-queues/candidates-assignment-completed/messages?take=50"))!
                .FirstOrDefault(m => m.Body.Contains(bad.PlacementId.ToString(), StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30),
            "the invalid completion in the error queue");
        Assert.Equal(typeof(MessageValidationException).FullName, failed.FaultExceptionType);
        Assert.Equal(
            $"Invalid assignment completion for placement {bad.PlacementId}: level: One of: executive, senior-management, middle-management, project-lead.; clientRating: Between 1 and 5.",
            failed.FaultMessage);
        Assert.Single((await GetAsync(candidate.Id)).TrackRecord);
        Assert.Empty(await PlacementsAsync(candidate.Id));
        Assert.Empty(await EventsAsync<CandidateProfileChanged>(candidate.Id));
    }

    [Fact]
    public async Task The_export_includes_the_placements_erasure_removes_them_and_a_later_event_records_nothing()
    {
        var marker = "Liv" + Guid.NewGuid().ToString("N")[..8];
        var candidate = await RegisterAsync($"{marker} Aas", Today.AddDays(10));
        var placed = Placed(candidate.Id, Today.AddDays(30), Today.AddDays(120));
        await PublishAsync(placed);
        await PublishAsync(Completed(candidate.Id) with { PlacementId = placed.PlacementId, EngagementId = placed.EngagementId });

        var export = (await _client.GetFromJsonAsync<AccessExport>($"/api/candidates/{candidate.Id}/export"))!;
        var erasure = await _client.PostAsJsonAsync($"/api/candidates/{candidate.Id}/erasure", new ErasureRequest("art-17-request"));
        await PublishAsync(Ended(placed, Today.AddDays(40))); // arrives after the erasure

        var exported = Assert.Single(export.Placements);
        Assert.Equal(
            (placed.PlacementId, placed.EngagementId, (DateOnly?)Today.AddDays(30), (DateOnly?)Today.AddDays(120), (DateOnly?)Today.AddDays(121), (DateTimeOffset?)CompletedAt),
            (exported.PlacementId, exported.EngagementId, exported.FirstDay, exported.LastDay, exported.AvailableFromSetTo, exported.CompletedAt));
        Assert.Equal(HttpStatusCode.OK, erasure.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/candidates/{candidate.Id}/placements")).StatusCode);
        await using var scope = _service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CandidatesDbContext>();
        var connectionString = db.Database.GetDbConnection().ConnectionString; // before opening, which drops the password from it
        Assert.Equal(0, await db.Placements.CountAsync());
        Assert.Equal(0, await PersonalData.CountRowsMentioningAsync(connectionString, marker));
        Assert.Equal(0, await PersonalData.CountRowsMentioningAsync(connectionString, placed.PlacementId.ToString()));
        Assert.Equal(0, await PersonalData.CountRowsMentioningAsync(connectionString, placed.EngagementId.ToString()));
        Assert.Equal(0, await PersonalData.CountRowsMentioningAsync(connectionString, "Interim COO"));
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_placements_endpoint_with_its_summary()
    {
        var document = await _client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var get = document.GetProperty("paths").GetProperty("/api/candidates/{id}/placements").GetProperty("get");
        Assert.Equal("The candidate's placements, as Engagements announced them", get.GetProperty("summary").GetString());
    }

    private static CandidatePlaced Placed(Guid candidateId, DateOnly firstDay, DateOnly lastDay) =>
        new(Guid.NewGuid(), Guid.NewGuid(), candidateId, firstDay, lastDay, 1400m, "EUR", DateTimeOffset.UtcNow);

    private static PlacementEnded Ended(CandidatePlaced placed, DateOnly endedOn) =>
        new(placed.PlacementId, placed.EngagementId, placed.CandidateId, endedOn, "replaced", DateTimeOffset.UtcNow);

    private static AssignmentCompleted Completed(Guid candidateId) =>
        new(Guid.NewGuid(), Guid.NewGuid(), candidateId, "logistics", "Interim COO", "transformation", "executive", 7, "exceeded", 5, Today.AddDays(-3), CompletedAt);

    private async Task<CandidateView> RegisterAsync(string fullName, DateOnly? availableFrom)
    {
        var email = fullName.Replace(' ', '.').ToLowerInvariant() + "@example.se";
        var response = await _client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo(fullName, email) with { Availability = new AvailabilityInput(availableFrom, null, 14) });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<CandidateView>())!;
    }

    private async Task<CandidateView> GetAsync(Guid candidateId) =>
        (await _client.GetFromJsonAsync<CandidateView>($"/api/candidates/{candidateId}"))!;

    private async Task<List<PlacementView>> PlacementsAsync(Guid candidateId) =>
        (await _client.GetFromJsonAsync<List<PlacementView>>($"/api/candidates/{candidateId}/placements"))!;

    /// <summary>The events of type <typeparamref name="T"/> written to the outbox about the candidate, in order.</summary>
    private async Task<List<T>> EventsAsync<T>(Guid candidateId)
    {
        await using var scope = _service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CandidatesDbContext>();
        var rows = await db.Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.AggregateId == candidateId.ToString())
            .OrderBy(m => m.Sequence)
            .ToListAsync();
        return [.. rows.Where(r => r.MessageType.StartsWith(typeof(T).FullName + ",", StringComparison.Ordinal)).Select(r => JsonSerializer.Deserialize<T>(r.Payload, JsonSerializerOptions.Web)!)];
    }

    /// <summary>Publishes and waits until Candidates has consumed the message (<paramref name="times"/> in all for this id).</summary>
    private async Task PublishAsync<T>(T message, Guid? messageId = null, int times = 1) where T : class
    {
        var id = messageId ?? NewId.NextGuid();
        await servers.OtherServices.Publish(message, context => context.MessageId = id);
        await _consumed.WaitForAsync(id, times, TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();
}
