// partner-push: pushes candidates to InterimPlatform the way a partner network does, with nothing but
// an AMQP client and JSON. See docs/partners.md.
//
//   dotnet run --project tools/PartnerPush -- --partner globalise --count 100
//   dotnet run --project tools/PartnerPush -- --partner globalise --file docs/partners/examples/upsert.json
//
// Options: --partner ID (required)  --password P (default: read from .apphost/partners.json)
//          --host H (127.0.0.1)  --port N (5672)  --count N (10)  --start N (0: first person index)
//          --file PATH (send that JSON message instead of generated ones)  --no-receipts
//          --batched-receipts (ask for the receipts in batches: x-receipt-form: batch.v1)
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PartnerPush;
using RabbitMQ.Client;

var options = ParseOptions(args);
if (!options.TryGetValue("partner", out var partner))
{
    Console.Error.WriteLine("usage: partner-push --partner ID [--password P] [--host H] [--port N] [--count N] [--start N] [--file PATH] [--no-receipts] [--batched-receipts]");
    return 2;
}

var password = options.GetValueOrDefault("password") ?? ReadPassword(partner);
var factory = new ConnectionFactory
{
    HostName = options.GetValueOrDefault("host", "127.0.0.1"),
    Port = int.Parse(options.GetValueOrDefault("port", "5672")),
    UserName = partner,
    Password = password,
    ClientProvidedName = $"partner-push ({partner})",
};

await using var connection = await factory.CreateConnectionAsync();
// Publisher confirms: a message counts as sent once the broker has taken responsibility for it.
await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));

List<JsonObject> messages;
if (options.TryGetValue("file", out var file))
{
    messages = [JsonNode.Parse(File.ReadAllText(file))!.AsObject()];
}
else
{
    var start = int.Parse(options.GetValueOrDefault("start", "0"));
    var count = int.Parse(options.GetValueOrDefault("count", "10"));
    messages = [.. Enumerable.Range(start, count).Select(i => SampleCandidates.Upsert(partner, i, DateTimeOffset.UtcNow))];
}

var stopwatch = Stopwatch.StartNew();
var pending = new List<Task>();
foreach (var message in messages)
{
    var properties = new BasicProperties
    {
        ContentType = "application/json",
        DeliveryMode = DeliveryModes.Persistent,
        MessageId = message["messageId"]?.GetValue<string>(),
        UserId = partner, // checked by the broker: proves who sent the message
        Type = "partner-candidate/1.0",
        Headers = options.ContainsKey("batched-receipts") ? new Dictionary<string, object?> { ["x-receipt-form"] = "batch.v1" } : null,
    };
    pending.Add(channel.BasicPublishAsync("partner-intake", partner, mandatory: false, properties, Encoding.UTF8.GetBytes(message.ToJsonString())).AsTask());
    if (pending.Count == 500)
    {
        await Task.WhenAll(pending);
        pending.Clear();
    }
}

await Task.WhenAll(pending);
Console.WriteLine($"sent {messages.Count} message(s) as {partner} in {stopwatch.Elapsed.TotalSeconds:0.00} s ({messages.Count / stopwatch.Elapsed.TotalSeconds:0} msg/s), all confirmed by the broker");
if (options.ContainsKey("no-receipts"))
{
    return 0;
}

// Every message gets a receipt: accepted, rejected (with reasons), duplicate or stale.
var expected = messages.Select(m => m["messageId"]?.GetValue<string>()).ToHashSet();
var statuses = new Dictionary<string, int>();
var deadline = DateTime.UtcNow.AddSeconds(Math.Max(30, messages.Count / 500));
while (expected.Count > 0 && DateTime.UtcNow < deadline)
{
    var delivery = await channel.BasicGetAsync($"partner-receipts.{partner}", autoAck: true);
    if (delivery is null)
    {
        await Task.Delay(100);
        continue;
    }

    // One receipt, or (for messages that asked) a batch of them: the AMQP type says which.
    using var body = JsonDocument.Parse(delivery.Body);
    var receipts = delivery.BasicProperties.Type == "partner-receipt-batch.v1"
        ? body.RootElement.GetProperty("receipts").EnumerateArray().ToList()
        : [body.RootElement];
    foreach (var receipt in receipts)
    {
        if (!expected.Remove(receipt.GetProperty("messageId").GetString()))
        {
            continue; // a receipt for an earlier run
        }

        var status = receipt.GetProperty("status").GetString()!;
        statuses[status] = statuses.GetValueOrDefault(status) + 1;
        if (status == "rejected" || messages.Count == 1)
        {
            Console.WriteLine(receipt.GetRawText());
        }
    }
}

Console.WriteLine($"receipts: {string.Join(", ", statuses.Select(s => $"{s.Value} {s.Key}"))}{(expected.Count > 0 ? $", {expected.Count} not yet received" : "")}");
return expected.Count == 0 ? 0 : 1;

static Dictionary<string, string> ParseOptions(string[] args)
{
    var options = new Dictionary<string, string>();
    for (var i = 0; i < args.Length; i++)
    {
        if (args[i].StartsWith("--", StringComparison.Ordinal))
        {
            var hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            options[args[i][2..]] = hasValue ? args[++i] : "true";
        }
    }

    return options;
}

static string ReadPassword(string partner)
{
    var directory = new DirectoryInfo(Directory.GetCurrentDirectory());
    while (directory is not null && !File.Exists(Path.Combine(directory.FullName, ".apphost", "partners.json")))
    {
        directory = directory.Parent;
    }

    if (directory is null)
    {
        throw new InvalidOperationException("No --password given and no .apphost/partners.json found: start the AppHost first, or pass --password.");
    }

    using var credentials = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory.FullName, ".apphost", "partners.json")));
    return credentials.RootElement.TryGetProperty(partner, out var password)
        ? password.GetString()!
        : throw new InvalidOperationException($"Partner '{partner}' is not configured (see Partners in AppHost/appsettings.json).");
}
