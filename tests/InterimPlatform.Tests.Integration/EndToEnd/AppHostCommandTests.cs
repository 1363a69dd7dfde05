using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using InterimPlatform.Tests.Integration.Infrastructure;

namespace InterimPlatform.Tests.Integration.EndToEnd;

/// <summary>
/// The README's run command as a user runs it (the built AppHost, in a state folder of its own): the data outlives
/// a restart, a second AppHost on the same state is refused, and however the AppHost ends (Ctrl+C, SIGTERM,
/// SIGKILL) nothing it started is left running 20 s later: not DCP, the dashboard, PostgreSQL, beam.smp, epmd or a service.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class AppHostCommandTests
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan OrphanDeadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_run_command_keeps_data_across_restarts_refuses_a_second_AppHost_and_leaves_nothing_after_Ctrl_C_SIGTERM_or_SIGKILL()
    {
        var marker = "Astrid" + Guid.NewGuid().ToString("N")[..8];
        Guid candidateId;
        var first = AppHostProcess.Start();
        try
        {
            await first.WaitUntilHealthyAsync();
            Assert.NotNull(first.DashboardLoginUrl);
            using var client = first.Client();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
            var created = await client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo($"{marker} Berg", $"{marker}@example.se"));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            candidateId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            await Eventually.GetAsync(
                async () => (await client.GetAsync($"/api/matching/candidates/{candidateId}")).IsSuccessStatusCode ? "there" : null,
                TimeSpan.FromSeconds(30),
                "the candidate in Matching");

            await using (var second = AppHostProcess.Start(first.StateDirectory))
            {
                Assert.NotEqual(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(60)));
                Assert.Contains("already running", second.Output, StringComparison.Ordinal);
            }

            var started = PlatformProcessesOf(first);
            Assert.Equal(0, await first.StopAsync(StopTimeout, "INT")); // Ctrl+C
            await AssertAllGoneAsync(started);
        }
        finally
        {
            await first.DisposeAsync();
        }

        // Like Aspire's data volumes: the next start finds the same data and credentials.
        var again = AppHostProcess.Start(first.StateDirectory);
        try
        {
            await again.WaitUntilHealthyAsync();
            using var client = again.Client();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/candidates/{candidateId}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/matching/candidates/{candidateId}")).StatusCode);

            var started = PlatformProcessesOf(again);
            Assert.Equal(0, await again.StopAsync(StopTimeout, "TERM"));
            await AssertAllGoneAsync(started);
        }
        finally
        {
            await again.DisposeAsync();
        }

        var killed = AppHostProcess.Start(first.StateDirectory);
        try
        {
            await killed.WaitUntilHealthyAsync();
            var started = PlatformProcessesOf(killed);
            killed.Kill();
            await AssertAllGoneAsync(started);
        }
        finally
        {
            await killed.DisposeAsync();
            killed.DeleteStateFolder();
        }
    }

    /// <summary>What the AppHost started, checked to hold every kind of process it must stop.</summary>
    private static IReadOnlyList<(int Pid, string CommandLine)> PlatformProcessesOf(AppHostProcess host)
    {
        var processes = host.PlatformProcesses();
        foreach (var kind in new[] { "dcp", "Aspire.Dashboard", "postgres -D", "beam.smp", "epmd", "InterimPlatform.Candidates", "InterimPlatform.Engagements", "InterimPlatform.Matching", "InterimPlatform.Gateway" })
        {
            Assert.True(processes.Any(p => p.CommandLine.Contains(kind, StringComparison.Ordinal)), $"no {kind} among the AppHost's processes:{Environment.NewLine}{string.Join(Environment.NewLine, processes.Select(p => $"{p.Pid} {p.CommandLine}"))}");
        }

        return processes;
    }

    private static async Task AssertAllGoneAsync(IReadOnlyList<(int Pid, string CommandLine)> processes)
    {
        var deadline = DateTime.UtcNow + OrphanDeadline;
        var alive = processes.Where(p => AppHostProcess.IsAlive(p.Pid)).ToList();
        while (alive.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            alive = [.. alive.Where(p => AppHostProcess.IsAlive(p.Pid))];
        }

        Assert.True(alive.Count == 0, $"still running {OrphanDeadline.TotalSeconds} s after the AppHost ended:{Environment.NewLine}{string.Join(Environment.NewLine, alive.Select(p => $"{p.Pid} {p.CommandLine}"))}");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AppHostCollection
{
    public const string Name = "AppHost";
}
