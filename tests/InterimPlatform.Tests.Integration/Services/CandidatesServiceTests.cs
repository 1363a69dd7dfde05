using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using InterimPlatform.Candidates.Data;
using InterimPlatform.Candidates.Pool;
using InterimPlatform.Messaging.Outbox;
using InterimPlatform.Tests.Integration.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace InterimPlatform.Tests.Integration.Services;

[Collection(PlatformServersCollection.Name)]
public sealed class CandidatesServiceTests(PlatformServers servers) : IAsyncLifetime
{
    private const string RegisteredExchange = "InterimPlatform.Contracts.Candidates.V1:CandidateRegistered";
    private ServiceHost<CandidatesDbContext> _service = null!;

    public async Task InitializeAsync()
    {
        _service = new ServiceHost<CandidatesDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:candidatesdb"] = await servers.CreateDatabaseAsync("candidates"),
            ["ConnectionStrings:messaging"] = servers.MessagingConnectionString,
        });
        await _service.WaitUntilHealthyAsync();
    }

    [Fact]
    public async Task A_registered_candidate_is_stored_and_its_event_reaches_the_broker_with_the_outbox_row_id()
    {
        // Listen on the event's exchange the way any other service would.
        var factory = new ConnectionFactory { Uri = servers.RabbitMQ.AmqpUri };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(RegisteredExchange, ExchangeType.Fanout, durable: true);
        var queue = (await channel.QueueDeclareAsync(queue: "", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, RegisteredExchange, routingKey: "");
        var client = _service.CreateClient();

        var response = await client.PostAsJsonAsync("/api/candidates", new RegisterCandidateRequest("Astrid Berg", "astrid.berg@example.se", "se", "Interim CFO, 20 years in manufacturing."));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<CandidateResponse>();
        Assert.NotNull(created);
        Assert.Equal("SE", created.Country);
        var fetched = await client.GetFromJsonAsync<CandidateResponse>(response.Headers.Location);
        Assert.Equal(created, fetched);

        var delivered = await Eventually.GetAsync(() => channel.BasicGetAsync(queue, autoAck: true), TimeSpan.FromSeconds(30), "CandidateRegistered on the broker");
        using var envelope = JsonDocument.Parse(delivered.Body);
        var message = envelope.RootElement.GetProperty("message");
        Assert.Equal(created.Id, message.GetProperty("candidateId").GetGuid());
        Assert.Equal("Astrid Berg", message.GetProperty("fullName").GetString());

        await using var scope = _service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CandidatesDbContext>();
        var row = await db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.AggregateId == created.Id.ToString());
        Assert.Equal(row.Id, envelope.RootElement.GetProperty("messageId").GetGuid());
        Assert.Equal(row.Id.ToString(), delivered.BasicProperties.MessageId);
        var sent = await Eventually.GetAsync(
            async () => await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Id == row.Id && m.SentAt != null).FirstOrDefaultAsync(),
            TimeSpan.FromSeconds(10),
            "the outbox row to be marked sent");
        Assert.True(sent.SentAt >= row.CreatedAt);
    }

    [Fact]
    public async Task Invalid_input_is_a_problem_listing_each_bad_field()
    {
        var client = _service.CreateClient();

        var response = await client.PostAsJsonAsync("/api/candidates", new { fullName = "", email = "not-an-address", country = "Sweden" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var fields = problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["country", "email", "fullName"], fields);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem_not_a_server_error()
    {
        var client = _service.CreateClient();

        var response = await client.PostAsync("/api/candidates", new StringContent("{\"fullName\": ", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_rejected_duplicate_writes_neither_the_candidate_nor_its_event()
    {
        var client = _service.CreateClient();
        var first = await client.PostAsJsonAsync("/api/candidates", new RegisterCandidateRequest("Lars Holm", "lars.holm@example.no", "NO", null));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        var second = await client.PostAsJsonAsync("/api/candidates", new RegisterCandidateRequest("Lars Holm (again)", "LARS.HOLM@example.no", "NO", null));

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        await using var scope = _service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CandidatesDbContext>();
        Assert.Equal(1, await db.Candidates.CountAsync(c => c.Email == "lars.holm@example.no"));
        var firstId = (await first.Content.ReadFromJsonAsync<CandidateResponse>())!.Id.ToString();
        Assert.Equal(1, await db.Set<OutboxMessage>().CountAsync());
        Assert.Equal(firstId, (await db.Set<OutboxMessage>().SingleAsync()).AggregateId);
    }

    [Fact]
    public async Task Health_reports_the_database_and_the_broker()
    {
        var client = _service.CreateClient();

        var health = await Eventually.GetAsync(
            async () =>
            {
                var response = await client.GetAsync("/health");
                return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : null;
            },
            TimeSpan.FromSeconds(30),
            "a healthy /health");

        using var report = JsonDocument.Parse(health);
        var checks = report.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("candidatesdb").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("masstransit-bus").GetProperty("status").GetString());
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();
}
