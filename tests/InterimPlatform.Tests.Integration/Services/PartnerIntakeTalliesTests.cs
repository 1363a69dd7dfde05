using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using InterimPlatform.Candidates.Data;
using InterimPlatform.Candidates.PartnerIntake;
using InterimPlatform.Contracts.Partners;
using InterimPlatform.Tests.Integration.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerPush;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace InterimPlatform.Tests.Integration.Services;

/// <summary>
/// Partner intake tallies (the partner-intake health check's source): Candidates in-process against the real
/// PostgreSQL and RabbitMQ servers, a partner pushing over plain AMQP, the tallies read from the endpoint (as through
/// the gateway).
/// </summary>
[Collection(PlatformServersCollection.Name)]
public sealed class PartnerIntakeTalliesTests(PlatformServers servers) : IAsyncLifetime
{
    private const string Globalise = "globalise";
    private const string CandidateRegisteredQueue = "matching-candidate-registered";
    private ServiceHost<CandidatesDbContext> _service = null!;
    private IConnection _partner = null!;
    private IChannel _channel = null!;

    public async Task InitializeAsync()
    {
        // What an earlier test class left in the intake queue would be counted in this database too.
        await using (var admin = await new ConnectionFactory { Uri = servers.RabbitMQ.AmqpUri }.CreateConnectionAsync())
        {
            await using var adminChannel = await admin.CreateChannelAsync();
            try
            {
                await adminChannel.QueuePurgeAsync(PartnerTopology.IntakeQueue);
            }
            catch (OperationInterruptedException)
            {
                // not declared yet: nothing left in it
            }
        }

        _service = new ServiceHost<CandidatesDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:candidatesdb"] = await servers.CreateDatabaseAsync("candidates"),
            ["ConnectionStrings:messaging"] = servers.ServiceMessagingConnectionString("candidates"),
        });
        await _service.WaitUntilHealthyAsync();
        _partner = await new ConnectionFactory
        {
            HostName = "127.0.0.1",
            Port = servers.RabbitMQ.AmqpPort,
            UserName = Globalise,
            Password = servers.PartnerPasswords[Globalise],
        }.CreateConnectionAsync();
        _channel = await _partner.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await _channel.QueuePurgeAsync(PartnerTopology.ReceiptsQueue(Globalise));
    }

    [Fact]
    public async Task Every_outcome_is_counted_per_partner_and_status_and_read_back_per_bucket()
    {
        var now = DateTimeOffset.UtcNow;
        var first = SampleCandidates.Upsert(Globalise, 1, now);
        var older = SampleCandidates.Upsert(Globalise, 1, now.AddMinutes(-1));
        await PublishAsync(first);
        await PublishAsync(SampleCandidates.Upsert(Globalise, 2, now));
        await PublishAsync(SampleCandidates.Upsert(Globalise, 3, now));
        await PublishAsync(first);                               // the same message again: duplicate
        await PublishAsync(older);                               // older than what was applied: stale
        await PublishRawAsync("not JSON at all"u8.ToArray());    // rejected on reading
        var receipts = await ReceiptsAsync(6);
        // A batch of rejections only is counted on its own (no intake transaction to join).
        await PublishRawAsync("still not JSON"u8.ToArray());
        receipts.AddRange(await ReceiptsAsync(1));

        Assert.Equal(3, receipts.Count(r => r.Status == ReceiptStatus.Accepted));
        var client = _service.CreateClient();
        var tallies = (await client.GetFromJsonAsync<PartnerIntakeTallyView>("/api/candidates/partner-intake/tallies"))!;

        var globalise = Assert.Single(tallies.Partners);
        Assert.Equal(new PartnerIntakeTotal(Globalise, 3, 1, 2, 1), globalise);
        Assert.Equal(1, tallies.BucketMinutes);
        Assert.Equal(TimeSpan.FromHours(1), tallies.To - tallies.From);
        Assert.True(tallies.To >= now && tallies.To - now <= TimeSpan.FromMinutes(2), $"the window ends with the current minute: {tallies.To:O}");
        Assert.All(tallies.Buckets, b => Assert.Equal(0, b.BucketStart.Second));
        Assert.Equal(7, tallies.Buckets.Sum(b => b.Accepted + b.Duplicate + b.Rejected + b.Stale));

        // One row per minute and partner for this service's single intake worker.
        await using var scope = _service.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<CandidatesDbContext>().PartnerIntakeTallies.AsNoTracking().ToListAsync();
        Assert.Single(rows.Select(r => r.Writer).Distinct());
        Assert.Equal(rows.Count, rows.Select(r => (r.BucketStart, r.PartnerId)).Distinct().Count());

        // Longer buckets add the minutes up.
        var hours = (await client.GetFromJsonAsync<PartnerIntakeTallyView>(
            $"/api/candidates/partner-intake/tallies?from={Uri.EscapeDataString(now.AddHours(-3).ToString("O"))}&to={Uri.EscapeDataString(now.AddHours(1).ToString("O"))}&bucketMinutes=120"))!;
        Assert.InRange(hours.Buckets.Count, 1, 2);
        Assert.All(hours.Buckets, b => Assert.Equal(0, (b.BucketStart - hours.From).TotalMinutes % 120));
        Assert.Equal(7, hours.Buckets.Sum(b => b.Accepted + b.Duplicate + b.Rejected + b.Stale));
    }

    [Theory]
    [InlineData("from=2026-11-24T10:00:00Z&to=2026-11-24T09:00:00Z", "from")]
    [InlineData("from=2026-11-24T10:00:10Z&to=2026-11-24T10:00:20Z", null)] // both within one minute: from 10:00, to 10:01
    [InlineData("from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z", "from")]
    [InlineData("from=1999-12-31T00:00:00Z", "from")]
    [InlineData("to=2100-01-02T00:00:00Z", "to")]
    [InlineData("bucketMinutes=0", "bucketMinutes")]
    [InlineData("bucketMinutes=1441", "bucketMinutes")]
    [InlineData("from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z&bucketMinutes=1", "bucketMinutes")]
    [InlineData("from=yesterday", "from")] // not a date at all: named by the parameter too, in words, not a .NET type
    public async Task A_window_that_is_not_valid_is_a_problem_naming_the_parameter(string query, string? field)
    {
        var response = await _service.CreateClient().GetAsync($"/api/candidates/partner-intake/tallies?{query}");

        if (field is null)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var window = (await response.Content.ReadFromJsonAsync<PartnerIntakeTallyView>())!;
            Assert.Equal((new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 24, 10, 1, 0, TimeSpan.Zero)), (window.From, window.To));
            return;
        }

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.DoesNotContain("DateTimeOffset", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_api_reference_documents_the_endpoint_with_an_example_and_its_problem()
    {
        var document = await _service.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var get = document.GetProperty("paths").GetProperty("/api/candidates/partner-intake/tallies").GetProperty("get");
        Assert.True(get.GetProperty("responses").TryGetProperty("400", out _));
        Assert.Equal(["from", "to", "bucketMinutes"], get.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        var schema = document.GetProperty("components").GetProperty("schemas").GetProperty(nameof(PartnerIntakeTallyView));
        Assert.Equal(15, schema.GetProperty("examples")[0].GetProperty("bucketMinutes").GetInt32());
    }

    private Task PublishAsync(JsonObject message) => PublishRawAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), message["messageId"]?.GetValue<string>());

    private async Task PublishRawAsync(byte[] body, string? messageId = null)
    {
        var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent, UserId = Globalise, MessageId = messageId ?? Guid.NewGuid().ToString() };
        await _channel.BasicPublishAsync(PartnerTopology.IntakeExchange, Globalise, mandatory: false, properties, body);
    }

    private async Task<List<PartnerReceipt>> ReceiptsAsync(int count)
    {
        var receipts = new List<PartnerReceipt>();
        await Eventually.GetAsync(
            async () =>
            {
                while (await _channel.BasicGetAsync(PartnerTopology.ReceiptsQueue(Globalise), autoAck: true) is { } delivery)
                {
                    receipts.Add(JsonSerializer.Deserialize<PartnerReceipt>(delivery.Body.Span, JsonSerializerOptions.Web)!);
                }

                return receipts.Count >= count ? receipts : null;
            },
            TimeSpan.FromSeconds(30),
            $"{count} receipts");
        return receipts;
    }

    public async Task DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _partner.DisposeAsync();
        await _service.DisposeAsync();

        // The people registered here were announced to Matching's queue: a later test's Matching that counts its
        // pool must not find them there (the collection's tests run one at a time, so nothing else is in flight).
        await using var admin = await new ConnectionFactory { Uri = servers.RabbitMQ.AmqpUri }.CreateConnectionAsync();
        await using var adminChannel = await admin.CreateChannelAsync();
        try
        {
            await adminChannel.QueuePurgeAsync(CandidateRegisteredQueue);
        }
        catch (OperationInterruptedException)
        {
            // no Matching has declared it yet: nothing was routed anywhere
        }
    }
}
