// Partner ingestion benchmark. Starts the whole platform with the shared bench launcher (bench/Platform: the
// AppHost's app model through Aspire.Hosting.Testing, own state folder, own ports),
// then, in one run:
//   1. raw broker rate: the same partner messages through a bare queue with a bare publisher and consumer;
//   2. ingestion rate: the messages published as a partner until every one is a stored candidate;
//   3. search latency (p50, p99) through the gateway with the pool topped up to --search-pool candidates.
// Usage: dotnet run -c Release --project bench/PartnerIngestion -- [--messages 50000] [--search-pool 100000] [--keep-state]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using InterimPlatform.Bench.Platform;
using Npgsql;
using PartnerPush;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

var messages = Option(args, "--messages", 50_000);
var searchPool = Option(args, "--search-pool", 100_000);
const string Partner = "globalise";

// Search latency is measured through the gateway: its per-caller rate limit is not what is measured.
await using var platform = await BenchPlatform.StartAsync(new BenchPlatformOptions
{
    Name = "ingestion",
    GatewayEnvironment = BenchPlatformOptions.UnlimitedGateway,
    KeepState = args.Contains("--keep-state"),
});
var database = platform.DatabaseConnectionString("candidates");
var admin = new ConnectionFactory { HostName = "127.0.0.1", Port = platform.AmqpPort, UserName = platform.MessagingUser, Password = platform.MessagingPassword };
var partner = new ConnectionFactory { HostName = "127.0.0.1", Port = platform.AmqpPort, UserName = Partner, Password = platform.PartnerPasswords[Partner] };

var now = DateTimeOffset.UtcNow;
var bodies = Enumerable.Range(0, messages).Select(i => Encoding.UTF8.GetBytes(SampleCandidates.Upsert(Partner, i, now).ToJsonString())).ToList();
Console.WriteLine($"{messages:N0} partner messages of {bodies.Average(b => b.Length):0} bytes on average.");

var raw = await RawBrokerRateAsync(admin, bodies);
Console.WriteLine($"raw broker:  {raw:N0} msg/s (bare publisher with confirms → durable queue → bare consumer)");
var traffic = await PipelineTrafficRateAsync(admin, bodies);
Console.WriteLine($"traffic:     {traffic:N0} msg/s = {traffic / raw:0.00} × raw (the same broker carrying, with bare clients and no database, what ingestion makes it carry per message: the message in and out, a receipt in, an event in and out)");
var ingestion = await IngestionRateAsync(partner, database, bodies, Partner, expectedTotal: messages);
Console.WriteLine($"ingestion:   {ingestion:N0} msg/s (published as a partner → stored candidates with outbox events)");
Console.WriteLine($"ratio:       {ingestion / raw:0.00} × the raw broker rate (target ≥ 0.5); {ingestion / traffic:0.00} × the broker's rate for ingestion's traffic");

if (searchPool > messages)
{
    var more = Enumerable.Range(messages, searchPool - messages).Select(i => Encoding.UTF8.GetBytes(SampleCandidates.Upsert(Partner, i, now).ToJsonString())).ToList();
    await IngestionRateAsync(partner, database, more, Partner, expectedTotal: searchPool);
}

// Search is measured on a settled platform: every event published, and Matching caught up with them.
var settle = Stopwatch.StartNew();
var matching = new NpgsqlConnectionStringBuilder(database) { Database = "matching" }.ConnectionString;
while (await ScalarAsync(database, "SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL") > 0
    || await ScalarAsync(matching, "SELECT count(*) FROM pool_candidates") < Math.Max(messages, searchPool))
{
    await Task.Delay(250);
}

Console.WriteLine($"settled:     every event published and in Matching {settle.Elapsed.TotalSeconds:0.0} s after the last candidate was stored");
await SearchLatencyAsync(platform.GatewayUrl, platform.ApiKey("recruiter"), database);

return 0;

static async Task<long> ScalarAsync(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    return (long)(await command.ExecuteScalarAsync())!;
}

static async Task<double> RawBrokerRateAsync(ConnectionFactory factory, List<byte[]> bodies)
{
    await using var connection = await factory.CreateConnectionAsync();
    await using var setup = await connection.CreateChannelAsync();
    var queue = (await setup.QueueDeclareAsync("bench-raw", durable: true, exclusive: false, autoDelete: false)).QueueName;
    await setup.QueuePurgeAsync(queue);
    await using var consuming = await connection.CreateChannelAsync();
    await consuming.BasicQosAsync(0, 2000, false);
    var received = 0;
    var done = new TaskCompletionSource();
    var consumer = new AsyncEventingBasicConsumer(consuming);
    consumer.ReceivedAsync += async (_, e) =>
    {
        _ = JsonDocument.Parse(e.Body).RootElement.GetProperty("messageId"); // read it, as any consumer would
        if (++received % 500 == 0 || received == bodies.Count)
        {
            await consuming.BasicAckAsync(e.DeliveryTag, multiple: true);
        }

        if (received == bodies.Count)
        {
            done.TrySetResult();
        }
    };
    await consuming.BasicConsumeAsync(queue, autoAck: false, consumer);
    var stopwatch = Stopwatch.StartNew();
    await PublishAsync(connection, "", queue, bodies, userId: null);
    await done.Task.WaitAsync(TimeSpan.FromMinutes(10));
    var rate = bodies.Count / stopwatch.Elapsed.TotalSeconds;
    await setup.QueueDeleteAsync(queue);
    return rate;
}

// The broker's ceiling for ingestion's message traffic: each message in and out, then, in batches of 500 as
// the intake does, a receipt and an event published with confirms before the batch is acknowledged; a
// second consumer takes the events (as Matching does). No database, no validation: the broker's share alone.
static async Task<double> PipelineTrafficRateAsync(ConnectionFactory factory, List<byte[]> bodies)
{
    await using var connection = await factory.CreateConnectionAsync();
    await using var setup = await connection.CreateChannelAsync();
    string[] queues = ["bench-intake", "bench-receipts", "bench-events"];
    foreach (var name in queues)
    {
        await setup.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false);
        await setup.QueuePurgeAsync(name);
    }

    await using var consuming = await connection.CreateChannelAsync();
    await consuming.BasicQosAsync(0, 2000, false);
    await using var publishing = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
    await using var events = await connection.CreateChannelAsync();
    await events.BasicQosAsync(0, 2000, false);
    var batch = new List<(ulong Tag, byte[] Body)>(500);
    var received = 0;
    var consumer = new AsyncEventingBasicConsumer(consuming);
    consumer.ReceivedAsync += async (_, e) =>
    {
        batch.Add((e.DeliveryTag, e.Body.ToArray()));
        if (++received % 500 != 0 && received != bodies.Count)
        {
            return;
        }

        var confirms = new List<Task>(batch.Count * 2);
        foreach (var (_, body) in batch)
        {
            var id = JsonDocument.Parse(body).RootElement.GetProperty("messageId").GetString();
            var properties = new BasicProperties { DeliveryMode = DeliveryModes.Persistent, ContentType = "application/json" };
            confirms.Add(publishing.BasicPublishAsync("", "bench-receipts", false, properties, Encoding.UTF8.GetBytes($$"""{"messageId":"{{id}}","status":"accepted"}""")).AsTask());
            confirms.Add(publishing.BasicPublishAsync("", "bench-events", false, properties, body).AsTask());
        }

        await Task.WhenAll(confirms);
        await consuming.BasicAckAsync(batch[^1].Tag, multiple: true);
        batch.Clear();
    };
    var consumed = 0;
    var done = new TaskCompletionSource();
    var eventConsumer = new AsyncEventingBasicConsumer(events);
    eventConsumer.ReceivedAsync += async (_, e) =>
    {
        if (++consumed % 500 == 0 || consumed == bodies.Count)
        {
            await events.BasicAckAsync(e.DeliveryTag, multiple: true);
        }

        if (consumed == bodies.Count)
        {
            done.TrySetResult();
        }
    };
    await consuming.BasicConsumeAsync("bench-intake", autoAck: false, consumer);
    await events.BasicConsumeAsync("bench-events", autoAck: false, eventConsumer);
    var stopwatch = Stopwatch.StartNew();
    await PublishAsync(connection, "", "bench-intake", bodies, userId: null);
    await done.Task.WaitAsync(TimeSpan.FromMinutes(10));
    var rate = bodies.Count / stopwatch.Elapsed.TotalSeconds;
    foreach (var name in queues)
    {
        await setup.QueueDeleteAsync(name);
    }

    return rate;
}

static async Task<double> IngestionRateAsync(ConnectionFactory factory, string database, List<byte[]> bodies, string partner, int expectedTotal)
{
    await using var connection = await factory.CreateConnectionAsync();
    var stopwatch = Stopwatch.StartNew();
    var publishing = PublishAsync(connection, "partner-intake", partner, bodies, userId: partner);
    await using var db = new NpgsqlConnection(database);
    await db.OpenAsync();
    while (true)
    {
        await using var count = new NpgsqlCommand("SELECT count(*) FROM candidates WHERE partner_id = @p", db);
        count.Parameters.AddWithValue("p", partner);
        if ((long)(await count.ExecuteScalarAsync())! >= expectedTotal)
        {
            break;
        }

        if (stopwatch.Elapsed > TimeSpan.FromMinutes(15))
        {
            throw new TimeoutException("Ingestion did not finish in 15 minutes.");
        }

        await Task.Delay(50);
    }

    await publishing;
    return bodies.Count / stopwatch.Elapsed.TotalSeconds;
}

static async Task PublishAsync(IConnection connection, string exchange, string routingKey, List<byte[]> bodies, string? userId)
{
    await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
    var pending = new List<Task>(1000);
    foreach (var body in bodies)
    {
        var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent, UserId = userId };
        pending.Add(channel.BasicPublishAsync(exchange, routingKey, mandatory: false, properties, body).AsTask());
        if (pending.Count == 1000)
        {
            await Task.WhenAll(pending);
            pending.Clear();
        }
    }

    await Task.WhenAll(pending);
}

static async Task SearchLatencyAsync(Uri gateway, string apiKey, string database)
{
    await using (var db = new NpgsqlConnection(database))
    {
        await db.OpenAsync();
        await using var analyze = new NpgsqlCommand("ANALYZE candidates", db);
        await analyze.ExecuteNonQueryAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM candidates", db);
        Console.WriteLine($"search over {(long)(await count.ExecuteScalarAsync())!:N0} candidates, through the gateway:");
    }

    string[] queries =
    [
        "?discipline=finance&level=executive",
        "?skill=sap&country=NO&sort=day-rate",
        "?q=astrid",
        "?q=berg&discipline=it",
        "?engagementType=crisis&maxDayRate=1200&currency=EUR",
        "?language=nl&availableBy=2027-01-15&sort=available-from",
        "?industry=energy&skill=ifrs&vettingStatus=sourced",
        "?sort=-registered&page=50",
    ];
    using var http = new HttpClient { BaseAddress = gateway };
    http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
    foreach (var query in queries)
    {
        (await http.GetAsync("/api/candidates" + query)).EnsureSuccessStatusCode(); // warm up
    }

    var timings = new List<double>();
    for (var round = 0; round < 40; round++)
    {
        foreach (var query in queries)
        {
            var stopwatch = Stopwatch.StartNew();
            using var response = await http.GetAsync("/api/candidates" + query);
            await response.Content.ReadAsByteArrayAsync();
            timings.Add(stopwatch.Elapsed.TotalMilliseconds);
            response.EnsureSuccessStatusCode();
        }
    }

    for (var i = 0; i < queries.Length; i++)
    {
        var kind = timings.Where((_, index) => index % queries.Length == i).Order().ToList();
        Console.WriteLine($"  {queries[i],-58} p50 {Percentile(kind, 0.50),6:0.0} ms  p99 {Percentile(kind, 0.99),6:0.0} ms");
    }

    timings.Sort();
    Console.WriteLine($"  all {timings.Count} searches: p50 {Percentile(timings, 0.50):0.0} ms, p99 {Percentile(timings, 0.99):0.0} ms, max {timings[^1]:0.0} ms");
}

static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

static int Option(string[] args, string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

