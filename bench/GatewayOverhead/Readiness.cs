using System.Diagnostics;

namespace InterimPlatform.Bench.GatewayOverhead;

/// <summary>Waiting for a proxy the benchmark started in a child process.</summary>
internal static class Readiness
{
    /// <summary>Asks <paramref name="url"/> every 200 ms: true once it answers 2xx, false when the process exits or <paramref name="timeout"/> passes.</summary>
    public static async Task<bool> WaitUntilAnswersAsync(Process process, Uri url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < timeout && !process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(url, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(200, cancellationToken);
        }

        return false;
    }
}
