// Partner ingestion benchmark. Starts the whole platform with the shared bench launcher (bench/Platform: the
// AppHost's app model through Aspire.Hosting.Testing, own state folder, own ports),
// then, in one run:
//   1. raw broker rate: the same partner messages through a bare queue with a bare publisher and consumer;
//   2. the broker's rate for the traffic ingestion makes it carry (bare clients, no database): receipts as --receipts
//      asks for them, candidate events one per intake batch (modelled on the outbox's batched candidate events);
//   3. end to end: the messages published as a partner until every person is stored, receipted, in Matching's
//      database and in every Matching replica's ranking index, with each stage's time, CPU and memory per resource;
//      after a warm-up push of --warm-up other people, not measured (a service that has just started compiles its hot
//      code for its first minute or so: 500 methods a second in Candidates and in Matching, dotnet-counters showed);
//   4. freshness: partner messages at a steady rate beside an API read load, the time from publish to receipt and
//      from receipt to rankable;
//   5. search latency (p50, p99) through the gateway with the pool topped up to --search-pool candidates.
// Usage: dotnet run -c Release --project bench/PartnerIngestion -- [--messages 50000] [--warm-up 10000] [--replicas 1]
//        [--steady-rate 300] [--steady-seconds 60] [--search-pool 100000] [--receipts message|batch] [--keep-state]
//        --warm-up 0: measure the services cold, straight after their start.
//        --receipts batch: the partner asks for its receipts in batches (x-receipt-form: batch.v1, docs/partners.md).
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using InterimPlatform.Bench.Platform;
using Microsoft.Extensions.Hosting;
using Npgsql;
using PartnerPush;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

var messages = Option(args, "--messages", 50_000);
var warmUp = Option(args, "--warm-up", 10_000);
var replicas = Option(args, "--replicas", 1);
var steadyRate = Option(args, "--steady-rate", 300);
var steadySeconds = Option(args, "--steady-seconds", 60);
var searchPool = Option(args, "--search-pool", 100_000);
var batchedReceipts = Argument(args, "--receipts") switch
{
    null or "message" => false,
    "batch" => true,
    var other => throw new ArgumentException($"--receipts {other}: message or batch."),
};
// What the partner sets on every message it publishes: the receipt form it asks for.
IDictionary<string, object?>? partnerHeaders = batchedReceipts ? new Dictionary<string, object?> { ["x-receipt-form"] = "batch.v1" } : null;
const string Partner = "globalise";
const double EndToEndTarget = 0.25;
var freshnessTarget = TimeSpan.FromSeconds(2);
var receiptTarget = TimeSpan.FromSeconds(1);

// Search latency is measured through the gateway: its per-caller rate limit is not what is measured.
await using var platform = await BenchPlatform.StartAsync(new BenchPlatformOptions
{
    Name = "ingestion",
    Replicas = replicas,
    GatewayEnvironment = BenchPlatformOptions.UnlimitedGateway,
    KeepState = args.Contains("--keep-state"),
});
var database = platform.DatabaseConnectionString("candidates");
var matchingDatabase = platform.DatabaseConnectionString("matching");
var admin = new ConnectionFactory { HostName = "127.0.0.1", Port = platform.AmqpPort, UserName = platform.MessagingUser, Password = platform.MessagingPassword };
var partner = new ConnectionFactory { HostName = "127.0.0.1", Port = platform.AmqpPort, UserName = Partner, Password = platform.PartnerPasswords[Partner] };
var token = GatewayIdentity.Issue(GatewayIdentity.Key(platform.SigningKey), "partner-ingestion-bench", [GatewayIdentity.Roles.Ops], DateTimeOffset.UtcNow, TimeSpan.FromHours(3));
var indexes = platform.Instances("matching").Select(instance =>
{
    var client = new HttpClient { BaseAddress = platform.ServiceUrl(instance), Timeout = TimeSpan.FromSeconds(10) };
    client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
    return (Name: instance, Client: client);
}).ToList();

var now = DateTimeOffset.UtcNow;
var bodies = Enumerable.Range(0, messages).Select(i => Encoding.UTF8.GetBytes(SampleCandidates.Upsert(Partner, i, now).ToJsonString())).ToList();
Console.WriteLine($"{messages:N0} partner messages of {bodies.Average(b => b.Length):0} bytes on average; {indexes.Count} Matching replica(s); receipts: "
    + (batchedReceipts ? "batch (x-receipt-form: batch.v1, one message per intake batch)" : "message (one per message)"));

var raw = await RawBrokerRateAsync(admin, bodies);
Console.WriteLine($"raw broker:  {raw:N0} msg/s (bare publisher with confirms → durable queue → bare consumer)");
var traffic = await PipelineTrafficRateAsync(admin, bodies, batchedReceipts);
Console.WriteLine($"traffic:     {traffic:N0} msg/s = {traffic / raw:0.00} × raw (the same broker carrying, with bare clients and no database, what ingestion makes it carry: "
    + $"each message in and out, {(batchedReceipts ? "one receipt batch in per intake batch of 500" : "a receipt in per message")}, "
    + "one candidate event in and out per intake batch of 500: events modelled batched, as the outbox's batched candidate events send them)");

// The warm-up's people come from a range of their own, after every other phase's.
const int WarmUpOffset = 10_000_000;
if (warmUp > 0)
{
    var warming = Stopwatch.StartNew();
    var warmUpBodies = Enumerable.Range(WarmUpOffset, warmUp).Select(i => Encoding.UTF8.GetBytes(SampleCandidates.Upsert(Partner, i, now).ToJsonString())).ToList();
    await using var connection = await partner.CreateConnectionAsync();
    var receipts = new ReceiptCounter();
    await using (await receipts.StartAsync(connection))
    {
        await PublishAsync(connection, "partner-intake", Partner, warmUpBodies, userId: Partner, partnerHeaders);
        while (receipts.Count < warmUp || (await Task.WhenAll(indexes.Select(i => IndexCountAsync(i.Client)))).Min() < warmUp)
        {
            await Task.Delay(250);
        }
    }

    Console.WriteLine($"warm-up:     {warmUp:N0} other people pushed and rankable in {warming.Elapsed.TotalSeconds:0.0} s (not measured)");
}

var endToEnd = await EndToEndAsync(bodies, expectedTotal: warmUp + messages);
var rate = messages / endToEnd.TotalSeconds;
Console.WriteLine($"end to end:  {rate:N0} msg/s = {rate / raw:0.00} × the raw broker rate (target ≥ {EndToEndTarget:0.00}), {rate / traffic:0.00} × the broker's rate for ingestion's traffic: {(rate / raw >= EndToEndTarget ? "PASS" : "MISS")}");

var freshness = await FreshnessAsync(messages, steadyRate, TimeSpan.FromSeconds(steadySeconds));

if (searchPool > messages + freshness)
{
    var more = Enumerable.Range(messages + freshness, searchPool - messages - freshness).Select(i => Encoding.UTF8.GetBytes(SampleCandidates.Upsert(Partner, i, now).ToJsonString())).ToList();
    await using var connection = await partner.CreateConnectionAsync();
    await PublishAsync(connection, "partner-intake", Partner, more, userId: Partner, partnerHeaders);
}

// Search is measured on a settled platform: every event published, and Matching caught up with them.
while (await ScalarAsync(database, "SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL") > 0
    || await ScalarAsync(matchingDatabase, "SELECT count(*) FROM pool_candidates") < Math.Max(messages + freshness, searchPool))
{
    await Task.Delay(250);
}

var scansBefore = await IndexScansAsync(database);
await SearchLatencyAsync(platform.GatewayUrl, platform.ApiKey("recruiter"), database);
// Which of the candidates table's indexes the searches used: each one costs every partner batch its upkeep.
await Task.Delay(TimeSpan.FromSeconds(2)); // PostgreSQL publishes a backend's statistics within a second of its last query
var scansAfter = await IndexScansAsync(database);
Console.WriteLine($"{"index on candidates",-44} {"scans in the searches",22} {"size",9}");
foreach (var (index, (scans, size)) in scansAfter.OrderBy(i => i.Key, StringComparer.Ordinal))
{
    Console.WriteLine($"{index,-44} {scans - scansBefore.GetValueOrDefault(index).Scans,22:N0} {size / (1024 * 1024),6:N0} MiB");
}

return 0;

static async Task<Dictionary<string, (long Scans, long Size)>> IndexScansAsync(string connectionString)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand("SELECT indexrelname, idx_scan, pg_relation_size(indexrelid) FROM pg_stat_user_indexes WHERE relname = 'candidates'", connection);
    await using var reader = await command.ExecuteReaderAsync();
    var scans = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
    while (await reader.ReadAsync())
    {
        scans[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2));
    }

    return scans;
}

// Publishes as the partner and follows each stage until every person is in every index.
async Task<TimeSpan> EndToEndAsync(List<byte[]> bodies, int expectedTotal)
{
    await using var connection = await partner.CreateConnectionAsync();
    var receipts = new ReceiptCounter();
    await using var reading = await receipts.StartAsync(connection);
    var cpuBefore = platform.ResourceCpuTimes();
    var stopwatch = Stopwatch.StartNew();
    var stages = new ConcurrentDictionary<string, TimeSpan>();
    var publishing = PublishAsync(connection, "partner-intake", Partner, bodies, userId: Partner, partnerHeaders)
        .ContinueWith(_ => stages["broker in (confirmed)"] = stopwatch.Elapsed, TaskScheduler.Default);
    await using var candidates = new NpgsqlConnection(database);
    await candidates.OpenAsync();
    await using var matching = new NpgsqlConnection(matchingDatabase);
    await matching.OpenAsync();
    var memoryPeak = new Dictionary<string, long>();
    var lastMemory = TimeSpan.Zero;
    // A count over tens of thousands of rows costs PostgreSQL about 10 ms: two of them twenty times a second took
    // ~10 s of its time per run, from the platform being measured. Far from the end a stage is counted twice a second
    // (less than 10,000 people arrive in between), near it ten times a second.
    var counted = new Dictionary<string, (long Count, TimeSpan At)>();
    async Task<bool> ReachedAsync(string stage, NpgsqlConnection connection, string sql)
    {
        if (counted.TryGetValue(stage, out var last)
            && stopwatch.Elapsed - last.At < (expectedTotal - last.Count > 10_000 ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromMilliseconds(100)))
        {
            return false;
        }

        var count = await CountAsync(connection, sql);
        counted[stage] = (count, stopwatch.Elapsed);
        return count >= expectedTotal;
    }

    while (stages.Count < 4 + indexes.Count)
    {
        if (!stages.ContainsKey("stored in Candidates") && await ReachedAsync("stored in Candidates", candidates, "SELECT count(*) FROM candidates WHERE partner_id = 'globalise'"))
        {
            stages["stored in Candidates"] = stopwatch.Elapsed;
        }

        if (!stages.ContainsKey("receipted") && receipts.Count >= bodies.Count)
        {
            stages["receipted"] = stopwatch.Elapsed;
        }

        if (!stages.ContainsKey("in Matching's database") && await ReachedAsync("in Matching's database", matching, "SELECT count(*) FROM pool_candidates"))
        {
            stages["in Matching's database"] = stopwatch.Elapsed;
        }

        foreach (var (name, client) in indexes)
        {
            if (!stages.ContainsKey($"in {name}'s index") && await IndexCountAsync(client) >= expectedTotal)
            {
                stages[$"in {name}'s index"] = stopwatch.Elapsed;
            }
        }

        if (stopwatch.Elapsed - lastMemory > TimeSpan.FromSeconds(2))
        {
            lastMemory = stopwatch.Elapsed;
            foreach (var (resource, bytes) in platform.ResourceMemory())
            {
                memoryPeak[resource] = Math.Max(memoryPeak.GetValueOrDefault(resource), bytes);
            }
        }

        if (stopwatch.Elapsed > TimeSpan.FromMinutes(20))
        {
            throw new TimeoutException("Ingestion did not finish in 20 minutes: " + string.Join(", ", stages.Keys));
        }

        await Task.Delay(50);
    }

    await publishing;
    var total = stages.Values.Max();
    var cpu = platform.ResourceCpuTimes().ToDictionary(c => c.Key, c => c.Value - cpuBefore.GetValueOrDefault(c.Key));
    Console.WriteLine();
    Console.WriteLine($"{"stage",-36} {"done at",9} {"share",7} {"rate",12}");
    var previous = TimeSpan.Zero;
    foreach (var (stage, at) in stages.OrderBy(s => s.Value))
    {
        Console.WriteLine($"{stage,-36} {at.TotalSeconds,8:0.0}s {(at - previous) / total,7:P0} {bodies.Count / at.TotalSeconds,8:N0} msg/s");
        previous = at;
    }

    Console.WriteLine();
    Console.WriteLine($"{"resource",-24} {"CPU",8} {"of the run",11} {"peak PSS",10}");
    foreach (var (resource, spent) in cpu.Where(c => c.Value > TimeSpan.Zero).OrderByDescending(c => c.Value))
    {
        Console.WriteLine($"{resource,-24} {spent.TotalSeconds,7:0.0}s {spent / total,10:P0} {memoryPeak.GetValueOrDefault(resource) / (1024 * 1024),7:N0} MiB");
    }

    Console.WriteLine($"(CPU is seconds of CPU time over the {total.TotalSeconds:0.0} s run, 2 cores = 200 %.)");
    return total;
}

// Steady partner traffic beside an API read load (search and ranking through the gateway: reads, so that every
// candidate the index gains is a partner's): the time each message took to its receipt, and from its receipt to
// being in every Matching replica's index.
async Task<int> FreshnessAsync(int offset, int perSecond, TimeSpan duration)
{
    var count = (int)(perSecond * duration.TotalSeconds);
    var baseline = (await Task.WhenAll(indexes.Select(i => IndexCountAsync(i.Client)))).Min();
    var steady = Enumerable.Range(offset, count).Select(i => SampleCandidates.Upsert(Partner, i, DateTimeOffset.UtcNow)).ToList();
    var ids = steady.Select(m => m["messageId"]!.GetValue<string>()).ToList();
    await using var connection = await partner.CreateConnectionAsync();
    var receipts = new ReceiptCounter();
    await using var reading = await receipts.StartAsync(connection);
    var stopwatch = Stopwatch.StartNew();
    var published = new TimeSpan[count];
    var rankable = new TimeSpan?[count];
    using var stop = new CancellationTokenSource();
    var sampling = Task.Run(async () =>
    {
        var reached = 0;
        while (reached < count && !stop.IsCancellationRequested)
        {
            var at = stopwatch.Elapsed;
            var inEvery = (await Task.WhenAll(indexes.Select(i => IndexCountAsync(i.Client)))).Min() - baseline;
            for (; reached < Math.Min(inEvery, count); reached++)
            {
                rankable[reached] = at;
            }

            await Task.Delay(20);
        }
    });
    var load = ApiReadLoadAsync(4, stop.Token);
    await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
    {
        var pending = new List<Task>();
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds(i / (double)perSecond);
            if (due > stopwatch.Elapsed)
            {
                await Task.Delay(due - stopwatch.Elapsed);
            }

            published[i] = stopwatch.Elapsed;
            var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent, UserId = Partner, MessageId = ids[i], Headers = partnerHeaders };
            pending.Add(channel.BasicPublishAsync("partner-intake", Partner, mandatory: false, properties, Encoding.UTF8.GetBytes(steady[i].ToJsonString())).AsTask());
        }

        await Task.WhenAll(pending);
    }

    var deadline = stopwatch.Elapsed + TimeSpan.FromMinutes(5);
    while ((receipts.Count < count || rankable[^1] is null) && stopwatch.Elapsed < deadline)
    {
        await Task.Delay(100);
    }

    await stop.CancelAsync();
    var requests = await load;
    await sampling;
    // People are rankable in the order they were sent as far as the count can tell: the k-th receipt's person is
    // taken to be rankable when the index holds k more (the intake applies a batch in order, Matching in batches).
    var receiptLatency = new List<double>();
    var toRankable = new List<double>();
    var inOrder = ids.Select(id => receipts.ArrivedAt(id, stopwatch)).ToList();
    var sortedReceipts = inOrder.Where(t => t is not null).Select(t => t!.Value).Order().ToList();
    for (var i = 0; i < count; i++)
    {
        if (inOrder[i] is { } receipt)
        {
            receiptLatency.Add((receipt - published[i]).TotalMilliseconds);
        }

        if (rankable[i] is { } ready && i < sortedReceipts.Count)
        {
            toRankable.Add(Math.Max(0, (ready - sortedReceipts[i]).TotalMilliseconds));
        }
    }

    receiptLatency.Sort();
    toRankable.Sort();
    Console.WriteLine();
    Console.WriteLine($"freshness: {count:N0} partner messages at {perSecond}/s for {duration.TotalSeconds:0} s beside {requests:N0} API reads (4 clients: search and ranking through the gateway)");
    if (receiptLatency.Count < count || toRankable.Count < count)
    {
        Console.WriteLine($"  MISS: {count - receiptLatency.Count:N0} receipts and {count - toRankable.Count:N0} rankable people missing after 5 minutes");
        return count;
    }

    var receiptP99 = Percentile(receiptLatency, 0.99);
    var rankableP99 = Percentile(toRankable, 0.99);
    Console.WriteLine($"  publish → receipt:  p50 {Percentile(receiptLatency, 0.50),7:0} ms, p99 {receiptP99,7:0} ms (target ≤ {receiptTarget.TotalMilliseconds:0} ms): {(receiptP99 <= receiptTarget.TotalMilliseconds ? "PASS" : "MISS")}");
    Console.WriteLine($"  receipt → rankable: p50 {Percentile(toRankable, 0.50),7:0} ms, p99 {rankableP99,7:0} ms (target ≤ {freshnessTarget.TotalMilliseconds:0} ms, in every replica's index): {(rankableP99 <= freshnessTarget.TotalMilliseconds ? "PASS" : "MISS")}");
    return count;
}

async Task<long> ApiReadLoadAsync(int clients, CancellationToken stop)
{
    using var http = new HttpClient { BaseAddress = platform.GatewayUrl };
    http.DefaultRequestHeaders.Add("X-Api-Key", platform.ApiKey("recruiter"));
    long requests = 0;
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            try
            {
                using var response = i % 3 == 2
                    ? await http.PostAsJsonAsync("/api/matching/rankings", new JsonObject
                    {
                        ["brief"] = new JsonObject { ["engagementType"] = "crisis", ["level"] = "executive", ["discipline"] = "finance", ["startDate"] = "2027-03-01", ["durationWeeks"] = 26 },
                        ["top"] = 10,
                    }, stop)
                    : await http.GetAsync($"/api/candidates?discipline=finance&page={1 + (i % 5)}", stop);
                Interlocked.Increment(ref requests);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }
    }));
    return requests;
}

async Task<int> IndexCountAsync(HttpClient client)
{
    using var response = await client.GetAsync("/api/matching/index");
    return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("candidates").GetInt32() : 0;
}

static async Task<long> CountAsync(NpgsqlConnection connection, string sql)
{
    await using var command = new NpgsqlCommand(sql, connection);
    return (long)(await command.ExecuteScalarAsync())!;
}

static async Task<long> ScalarAsync(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    return await CountAsync(connection, sql);
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
// the intake does, its receipts (one per message, or the batch's in one message) and one event carrying the
// batch's people (modelled on the outbox's batched candidate events) published with confirms before the batch is
// acknowledged; a second consumer takes the events (as Matching does). No database, no validation: the broker's share alone.
static async Task<double> PipelineTrafficRateAsync(ConnectionFactory factory, List<byte[]> bodies, bool batchedReceipts)
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

        var properties = new BasicProperties { DeliveryMode = DeliveryModes.Persistent, ContentType = "application/json" };
        Task Publish(string queue, byte[] body) => publishing.BasicPublishAsync("", queue, false, properties, body).AsTask();
        var receipts = batch.Select(m => Encoding.UTF8.GetBytes($$"""{"messageId":"{{JsonDocument.Parse(m.Body).RootElement.GetProperty("messageId").GetString()}}","status":"accepted"}""")).ToList();
        List<Task> confirms = batchedReceipts ? [Publish("bench-receipts", JsonArrayOf(receipts))] : [.. receipts.Select(r => Publish("bench-receipts", r))];
        confirms.Add(Publish("bench-events", JsonArrayOf(batch.Select(m => m.Body))));
        await Task.WhenAll(confirms);
        await consuming.BasicAckAsync(batch[^1].Tag, multiple: true);
        batch.Clear();
    };
    var consumed = 0;
    var done = new TaskCompletionSource();
    var eventConsumer = new AsyncEventingBasicConsumer(events);
    eventConsumer.ReceivedAsync += async (_, e) =>
    {
        consumed += JsonDocument.Parse(e.Body).RootElement.GetArrayLength(); // the event's people, read as Matching reads them
        await events.BasicAckAsync(e.DeliveryTag, multiple: false);
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

static async Task PublishAsync(IConnection connection, string exchange, string routingKey, List<byte[]> bodies, string? userId, IDictionary<string, object?>? headers = null)
{
    await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
    var pending = new List<Task>(1000);
    foreach (var body in bodies)
    {
        var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent, UserId = userId, Headers = headers };
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

// JSON items as one JSON array: the body of a message carrying a batch of them.
static byte[] JsonArrayOf(IEnumerable<byte[]> items)
{
    using var array = new MemoryStream();
    array.WriteByte((byte)'[');
    foreach (var item in items)
    {
        if (array.Length > 1)
        {
            array.WriteByte((byte)',');
        }

        array.Write(item);
    }

    array.WriteByte((byte)']');
    return array.ToArray();
}

static string? Argument(string[] args, string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

static int Option(string[] args, string name, int fallback) =>
    Argument(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;


/// <summary>
/// The partner's receipts, read as they come (as a partner's system reads them): how many, and when each arrived,
/// counted per receipt whether it came alone or in a batch (the AMQP type says which).
/// </summary>
internal sealed class ReceiptCounter
{
    private readonly ConcurrentDictionary<string, long> _arrived = new(StringComparer.Ordinal);
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public TimeSpan? ArrivedAt(string messageId, Stopwatch clock) =>
        _arrived.TryGetValue(messageId, out var timestamp) ? clock.Elapsed - Stopwatch.GetElapsedTime(timestamp) : null;

    public async Task<IAsyncDisposable> StartAsync(IConnection connection)
    {
        var channel = await connection.CreateChannelAsync();
        await channel.QueuePurgeAsync("partner-receipts.globalise");
        await channel.BasicQosAsync(0, 2000, false);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, e) =>
        {
            var arrived = Stopwatch.GetTimestamp();
            var ids = MessageIds(e);
            foreach (var id in ids.OfType<string>())
            {
                _arrived[id] = arrived;
            }

            var count = Interlocked.Add(ref _count, ids.Count);
            if (count / 500 != (count - ids.Count) / 500) // about every 500 receipts
            {
                await channel.BasicAckAsync(e.DeliveryTag, multiple: true);
            }
        };
        await channel.BasicConsumeAsync("partner-receipts.globalise", autoAck: false, consumer);
        return channel;
    }

    /// <summary>Whose receipts a message holds: a batch's, each by its messageId; a single one's, by its correlation_id.</summary>
    private static List<string?> MessageIds(BasicDeliverEventArgs delivery)
    {
        if (delivery.BasicProperties.Type != "partner-receipt-batch.v1")
        {
            return [delivery.BasicProperties.CorrelationId];
        }

        using var batch = JsonDocument.Parse(delivery.Body);
        return [.. batch.RootElement.GetProperty("receipts").EnumerateArray().Select(r => r.GetProperty("messageId").GetString())];
    }
}
