using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace InterimPlatform.Bench.GatewayOverhead;

/// <summary>What one wrk run measured, read from its output.</summary>
internal sealed record WrkResult(
    double RequestsPerSecond,
    double P50Milliseconds,
    double P99Milliseconds,
    long Requests,
    double Seconds,
    long Non2xx,
    string SocketErrors,
    string Output)
{
    /// <summary>wrk counts any status ≥ 400 as "Non-2xx or 3xx"; socket errors are connect/read/write/timeout.</summary>
    public bool Clean => Non2xx == 0 && SocketErrors.Length == 0;

    /// <summary>Requests per second that were answered 2xx/3xx.</summary>
    public double SuccessfulPerSecond => (Requests - Non2xx) / Seconds;
}

/// <summary>Runs wrk (optionally pinned with taskset) and reads its report.</summary>
internal sealed class Wrk(string wrk, string? cpus)
{
    public string Describe(int threads, int connections, string duration) =>
        (cpus is null ? "" : $"taskset -c {cpus} ") + $"wrk -t{threads} -c{connections} -d{duration} --latency --timeout 5s -H '<auth header>' <url>";

    public async Task<WrkResult> RunAsync(Uri url, string header, int threads, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(cpus is null ? wrk : "taskset")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (cpus is not null)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(cpus);
            start.ArgumentList.Add(wrk);
        }

        foreach (var argument in new[]
        {
            $"-t{threads}", $"-c{connections}", $"-d{(int)duration.TotalSeconds}s", "--latency", "--timeout", "5s", "-H", header, url.ToString(),
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        string output;
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            output = await stdout + await stderr;
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        return process.ExitCode != 0
            ? throw new InvalidOperationException($"wrk exited with code {process.ExitCode}:\n{output}")
            : Parse(output);
    }

    public static WrkResult Parse(string output)
    {
        var rate = Regex.Match(output, @"Requests/sec:\s+([\d.]+)");
        var p50 = Regex.Match(output, @"^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline);
        var p99 = Regex.Match(output, @"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline);
        var total = Regex.Match(output, @"(\d+) requests in ([\d.]+)(us|ms|s|m)");
        if (!rate.Success || !p50.Success || !p99.Success || !total.Success)
        {
            throw new InvalidOperationException($"Could not read wrk's report (Requests/sec, 50%, 99%, requests in):\n{output}");
        }

        var non2xx = Regex.Match(output, @"Non-2xx or 3xx responses:\s+(\d+)");
        var socket = Regex.Match(output, @"Socket errors:\s*([^\n]+)");
        return new WrkResult(
            Number(rate.Groups[1].Value),
            Milliseconds(p50),
            Milliseconds(p99),
            long.Parse(total.Groups[1].Value, CultureInfo.InvariantCulture),
            Milliseconds(Number(total.Groups[2].Value), total.Groups[3].Value) / 1000,
            non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            socket.Success ? socket.Groups[1].Value.Trim() : "",
            output);
    }

    private static double Milliseconds(Match match) => Milliseconds(Number(match.Groups[1].Value), match.Groups[2].Value);

    private static double Milliseconds(double value, string unit) => unit switch
    {
        "us" => value / 1000,
        "ms" => value,
        "s" => value * 1000,
        "m" => value * 60_000,
        _ => throw new InvalidOperationException($"Unknown time unit {unit}."),
    };

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);
}
