using InterimPlatform.Dashboard.Resources;
using InterimPlatform.Hosting.ApplicationModel;
using InterimPlatform.Hosting.Orchestration;

namespace InterimPlatform.Tests.Unit.Dashboard;

/// <summary>What the dashboard offers for each resource, and the console lines it follows.</summary>
public sealed class HostingResourceCommandsTests
{
    [Theory]
    [InlineData(KnownResourceStates.Running, new[] { ResourceCommand.Stop, ResourceCommand.Restart })]
    [InlineData(KnownResourceStates.Exited, new[] { ResourceCommand.Start })]
    [InlineData(KnownResourceStates.Finished, new[] { ResourceCommand.Start })]
    [InlineData(KnownResourceStates.FailedToStart, new[] { ResourceCommand.Start })]
    [InlineData(KnownResourceStates.Starting, new ResourceCommand[0])]
    [InlineData(KnownResourceStates.Stopping, new ResourceCommand[0])]
    [InlineData(KnownResourceStates.Waiting, new ResourceCommand[0])]
    public void A_project_offers_the_commands_that_apply_to_its_state(string state, ResourceCommand[] expected) =>
        Assert.Equal(expected, Orchestrator.CommandsFor(new ProjectResource("matching", "/x/Matching.csproj"), state));

    [Fact]
    public void Servers_offer_the_same_commands_as_projects_and_databases_none_they_follow_their_server()
    {
        var postgres = new PostgresServerResource("postgres");
        Assert.Equal([ResourceCommand.Stop, ResourceCommand.Restart], Orchestrator.CommandsFor(postgres, KnownResourceStates.Running));
        Assert.Equal([ResourceCommand.Start], Orchestrator.CommandsFor(new RabbitMQServerResource("messaging"), KnownResourceStates.Exited));
        Assert.Empty(Orchestrator.CommandsFor(new PostgresDatabaseResource("matchingdb", postgres, "matching"), KnownResourceStates.Running));
        Assert.Empty(Orchestrator.CommandsFor(new PostgresDatabaseResource("matchingdb", postgres, "matching"), KnownResourceStates.Waiting));
    }

    [Fact]
    public async Task Console_lines_are_numbered_per_resource_and_followed_as_they_are_written()
    {
        var logs = new ResourceLogStore(logDirectory: null, capacity: 3);
        logs.Append("matching", "one");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var followed = new List<ResourceLogLine>();
        var follow = Task.Run(async () =>
        {
            await foreach (var line in logs.WatchAsync("matching", cancel.Token))
            {
                followed.Add(line);
                if (followed.Count == 3)
                {
                    break;
                }
            }
        });

        // The watcher subscribes asynchronously: write until it has seen three lines.
        var written = 1;
        while (!follow.IsCompleted)
        {
            logs.Append("matching", $"line {++written}", isError: written % 2 == 0);
            logs.Append("candidates", "elsewhere");
            await Task.Delay(20, cancel.Token);
        }

        await follow;
        Assert.Equal(3, followed.Count);
        Assert.All(followed.Zip(followed.Skip(1)), pair => Assert.Equal(pair.First.Number + 1, pair.Second.Number));
        Assert.All(followed, line => Assert.StartsWith("line ", line.Text, StringComparison.Ordinal));
        Assert.Equal(followed.Select(l => l.Number % 2 == 0), followed.Select(l => l.IsError));

        // The tail keeps the newest lines up to its capacity, numbers unchanged.
        var tail = logs.Lines("matching", 10);
        Assert.Equal(3, tail.Count);
        Assert.Equal(written, tail[^1].Number);
        Assert.Equal($"line {written}", tail[^1].Text);
    }
}
