// Fuzz pass over every gateway endpoint and over the partner exchange. Starts the whole platform with the
// shared bench launcher (bench/Platform: the AppHost's app model through Aspire.Hosting.Testing, own state folder,
// own ports), then:
//   1. fetches the four OpenAPI documents from the gateway and, for every operation, sends a valid example
//      with one thing wrong at a time (malformed JSON, wrong types, missing and extra fields, 1 MB strings,
//      100,000-item arrays, Unicode edge cases, SQL and script injection, invalid ids and query values);
//   2. counts the answers: no 5xx, and every 4xx an RFC 9457 problem (application/problem+json, status, title);
//   3. stores injection strings and Unicode edge cases that are valid data and reads them back byte for byte;
//   4. publishes malformed and hostile partner messages: each rejected one gets a receipt with reasons and
//      waits in the intake's error queue with its reasons; a valid one with injection strings is stored verbatim.
// Exits 1 when anything breaks those rules.
// Usage: dotnet run -c Release --project bench/FuzzPass -- [--keep-state] [--attach STATE_DIR GATEWAY_PORT AMQP_PORT]
using System.Diagnostics;
using System.Globalization;
using InterimPlatform.Bench.FuzzPass;
using InterimPlatform.Bench.Platform;

var attach = Array.IndexOf(args, "--attach");
// Thousands of requests from four keys in a few minutes: the per-caller rate limit is not what is fuzzed.
await using var platform = attach >= 0
    ? null
    : await BenchPlatform.StartAsync(new BenchPlatformOptions { Name = "fuzz", GatewayEnvironment = BenchPlatformOptions.UnlimitedGateway, KeepState = args.Contains("--keep-state") });
var target = platform is null
    ? FuzzTarget.Attach(args[attach + 1], int.Parse(args[attach + 2], CultureInfo.InvariantCulture), int.Parse(args[attach + 3], CultureInfo.InvariantCulture))
    : FuzzTarget.From(platform);

using var http = new HttpClient { BaseAddress = target.Gateway, Timeout = TimeSpan.FromSeconds(60) };
var tally = new Tally();
var stopwatch = Stopwatch.StartNew();

var operations = await OpenApi.OperationsAsync(http);
Console.WriteLine($"{operations.Count} operations in {string.Join(", ", OpenApi.Documents.Select(d => $"{d} ({operations.Count(o => o.Document == d)})"))}");
var fuzz = new HttpFuzz(http, target, tally);
await fuzz.RunAsync(operations);
Console.WriteLine($"gateway fuzz: {fuzz.Operations} operations in {stopwatch.Elapsed.TotalSeconds:0} s; cases by kind: {string.Join(", ", fuzz.CasesByKind.OrderByDescending(k => k.Value).Select(k => $"{k.Key} {k.Value}"))}");

var verbatim = new Verbatim(http, target, tally);
await verbatim.RunAsync();

Console.WriteLine("partner exchange:");
var partner = new PartnerFuzz(http, target, tally);
await partner.RunAsync();

foreach (var refusal in tally.Refusals.Take(3))
{
    Console.WriteLine(refusal);
}

if (tally.Refusals.Count > 3)
{
    Console.WriteLine($"[refused by Kestrel] … and {tally.Refusals.Count - 3} more like them (every operation's encoded-nul path case)");
}

foreach (var failure in tally.Failures)
{
    Console.WriteLine(failure);
}

foreach (var mismatch in verbatim.Mismatches)
{
    Console.WriteLine($"[not verbatim] {mismatch}");
}

foreach (var failure in partner.Failures)
{
    Console.WriteLine($"[partner] {failure}");
}

Console.WriteLine();
Console.WriteLine($"requests sent:            {tally.Sent:N0} ({fuzz.Operations} operations; {stopwatch.Elapsed.TotalSeconds:0} s in all)");
Console.WriteLine($"2xx:                      {tally.Success:N0}");
Console.WriteLine($"4xx:                      {tally.ClientError:N0} ({string.Join(", ", tally.ByStatus.Where(s => s.Key is >= 400 and < 500).Select(s => $"{s.Key}: {s.Value}"))})");
Console.WriteLine($"5xx:                      {tally.ServerError:N0}");
Console.WriteLine($"4xx not a problem:        {tally.NotProblem:N0}");
Console.WriteLine($"no answer:                {tally.TransportErrors:N0}");
Console.WriteLine($"refused by Kestrel:       {tally.RefusedByServer:N0} (an encoded NUL in the path: refused as a bad request line before the gateway runs; empty 400, not the application's answer)");
Console.WriteLine($"stored verbatim:          {verbatim.Checked - verbatim.Mismatches.Count:N0} of {verbatim.Checked:N0} fields ({verbatim.Records} records: candidates, clients, contacts, engagements)");
Console.WriteLine($"partner messages:         {partner.Published} published, {partner.Receipts} receipts, {partner.InErrorQueue} in the error queue; {partner.Passed} of {partner.Published} as expected");
var failed = tally.ServerError + tally.NotProblem + tally.TransportErrors + verbatim.Mismatches.Count + partner.Failures.Count;
Console.WriteLine(failed == 0 ? "PASS" : $"FAIL ({failed} problems above)");
return failed == 0 ? 0 : 1;
