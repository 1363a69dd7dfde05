using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using InterimPlatform.Messaging.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace InterimPlatform.Tests.Integration.Messaging;

/// <summary>
/// The error-queue API's answers that need no broker: a broker that cannot be reached (a closed port), a replay of
/// a queue whose messages cannot be replayed, an unknown queue, a bad selection.
/// </summary>
public sealed class ErrorQueueEndpointTests : IAsyncLifetime
{
    private const string Api = "/api/orders/messaging/error-queues";
    private const string Replayable = "orders-order-placed";
    private const string NotReplayable = "orders-partner-feed";
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(new ConnectionFactory { HostName = "127.0.0.1", Port = ClosedPort(), AutomaticRecoveryEnabled = false });
        builder.Services.AddSingleton(new ServiceQueues());
        builder.Services.AddSingleton<ErrorQueues>();
        builder.Services.AddOperatedQueue(Replayable, ServiceQueues.ErrorQueueOf(Replayable));
        builder.Services.AddOperatedQueue(NotReplayable, ServiceQueues.ErrorQueueOf(NotReplayable), "The partner must resend it.");
        _app = builder.Build();
        _app.MapErrorQueueEndpoints("orders");
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    [Fact]
    public async Task Every_operation_answers_503_when_the_broker_cannot_be_reached()
    {
        var responses = new[]
        {
            await _client.GetAsync(Api),
            await _client.GetAsync($"{Api}/{Replayable}/messages"),
            await _client.PostAsync($"{Api}/{Replayable}/replay", null),
            await _client.PostAsJsonAsync($"{Api}/{Replayable}/replay", new FailedMessageSelection(["m-1"])),
            await _client.PostAsJsonAsync($"{Api}/{NotReplayable}/discard", new FailedMessageSelection(["m-1"])),
            await _client.PostAsync($"{Api}/{Replayable}/messages/m-1/replay", null),
            await _client.DeleteAsync($"{Api}/{Replayable}/messages/m-1"),
        };

        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(ErrorQueueEndpoints.BrokerUnreachableDetail, (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
        }
    }

    [Fact]
    public async Task A_replay_of_a_queue_whose_messages_cannot_be_replayed_is_409_with_the_reason_before_anything_is_tried()
    {
        var all = await _client.PostAsync($"{Api}/{NotReplayable}/replay", null);
        var selected = await _client.PostAsJsonAsync($"{Api}/{NotReplayable}/replay", new FailedMessageSelection(["m-1"]));
        var one = await _client.PostAsync($"{Api}/{NotReplayable}/messages/m-1/replay", null);

        foreach (var response in new[] { all, selected, one })
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Equal("The partner must resend it.", (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
        }
    }

    [Fact]
    public async Task An_unknown_queue_is_404_and_a_bad_selection_is_400()
    {
        var unknown = await _client.PostAsync($"{Api}/no-such-queue/discard", null);
        var blank = await _client.PostAsJsonAsync($"{Api}/{Replayable}/discard", new { messageIds = new[] { "m-1", "" } });
        var tooMany = await _client.PostAsJsonAsync($"{Api}/{Replayable}/replay", new FailedMessageSelection([.. Enumerable.Range(0, ErrorQueueEndpoints.MaxSelectedIds + 1).Select(i => $"m-{i}")]));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains(Replayable, (await unknown.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, blank.StatusCode);
        Assert.Contains("messageIds", await blank.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    /// <summary>A loopback port nothing listens on: taken from the system, then released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }
}
