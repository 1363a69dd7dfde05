using System.Net;
using System.Net.Http.Json;
using InterimPlatform.Engagements.Data;
using InterimPlatform.Engagements.Desk;
using InterimPlatform.Tests.Integration.Infrastructure;

namespace InterimPlatform.Tests.Integration.Services;

[Collection(PlatformServersCollection.Name)]
public sealed class EngagementsServiceTests(PlatformServers servers) : IAsyncLifetime
{
    private ServiceHost<EngagementsDbContext> _service = null!;

    public async Task InitializeAsync()
    {
        _service = new ServiceHost<EngagementsDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:engagementsdb"] = await servers.CreateDatabaseAsync("engagements"),
            ["ConnectionStrings:messaging"] = servers.MessagingConnectionString,
        });
        await _service.WaitUntilHealthyAsync();
    }

    [Fact]
    public async Task A_drafted_engagement_is_stored_as_a_draft()
    {
        var client = _service.CreateClient();

        var response = await client.PostAsJsonAsync("/api/engagements", new DraftEngagementRequest("Interim CFO during ERP migration", "Nordic Foods AB"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<EngagementResponse>();
        Assert.Equal("Draft", created!.State);
        Assert.Equal(created, await client.GetFromJsonAsync<EngagementResponse>(response.Headers.Location));
        Assert.Contains(created, (await client.GetFromJsonAsync<List<EngagementResponse>>("/api/engagements"))!);
    }

    [Fact]
    public async Task A_draft_without_title_or_client_is_refused()
    {
        var client = _service.CreateClient();

        var response = await client.PostAsJsonAsync("/api/engagements", new DraftEngagementRequest(null, " "));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();
}
