using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using InterimPlatform.Tests.Integration.Infrastructure;

namespace InterimPlatform.Tests.Integration.EndToEnd;

/// <summary>The gateway as the single secured entry, against the whole platform started from the AppHost's model.</summary>
[Collection(AspirePlatformCollection.Name)]
public sealed partial class GatewaySecurityTests(AspirePlatform platform)
{
    private static readonly string[] Roles = ["recruiter", "ops", "privacy-officer", "admin"];

    /// <summary>Who may call what: the first matching line decides; a path no line names is for nobody.</summary>
    private static readonly (string Methods, Regex Path, string[] Roles)[] Expected =
    [
        ("*", new("^/api/gateway/keys(/.*)?$"), ["admin"]),
        ("GET", new("^/api/gateway/audit$"), ["admin", "privacy-officer"]),
        ("GET", new("^/api/gateway/health$"), ["ops", "admin"]),
        ("GET", new("^/api/[^/]+/messaging/error-queues(/.*)?$"), ["ops", "admin"]),
        ("POST,DELETE", new("^/api/[^/]+/messaging/error-queues(/.*)?$"), ["admin"]),
        ("GET", new("^/api/candidates/partner-intake/tallies$"), ["ops", "admin"]),
        ("GET", new("^/api/candidates/[^/]+/export$"), ["privacy-officer"]),
        ("POST", new("^/api/candidates/[^/]+/erasure$"), ["privacy-officer"]),
        ("*", new("^/api/candidates/privacy(/.*)?$"), ["privacy-officer"]),
        ("*", new("^/api/candidates(/.*)?$"), ["recruiter"]),
        ("GET", new("^/api/engagements/sla/.+$"), ["recruiter", "ops"]),
        ("*", new("^/api/engagements(/.*)?$"), ["recruiter"]),
        ("GET", new("^/api/matching/index$"), ["recruiter", "ops"]),
        ("GET", new("^/api/matching/weights$"), ["recruiter", "ops", "admin"]),
        ("*", new("^/api/matching(/.*)?$"), ["recruiter"]),
    ];

    [Fact]
    public async Task Every_route_answers_each_role_as_its_rules_say_and_refuses_callers_without_credentials()
    {
        var host = platform;
        using var anonymous = new HttpClient { BaseAddress = host.GatewayUrl };
        var clients = Roles.ToDictionary(r => r, host.Client);

        var routes = new List<(string Method, string Path)>();
        foreach (var document in new[] { "candidates", "engagements", "matching", "gateway" })
        {
            var openApi = await anonymous.GetFromJsonAsync<JsonElement>($"/openapi/{document}.json");
            foreach (var path in openApi.GetProperty("paths").EnumerateObject())
            {
                routes.AddRange(path.Value.EnumerateObject().Where(m => m.Name is "get" or "post" or "put" or "delete").Select(m => (m.Name.ToUpperInvariant(), path.Name)));
            }
        }

        Assert.True(routes.Count > 50, $"only {routes.Count} routes in the API reference");
        var failures = new List<string>();
        foreach (var (method, template) in routes)
        {
            var path = PathParameter().Replace(template, _ => Guid.NewGuid().ToString());
            var allowed = Expected.FirstOrDefault(e => (e.Methods == "*" || e.Methods.Split(',').Contains(method)) && e.Path.IsMatch(path)).Roles ?? [];
            var none = await SendAsync(anonymous, method, path);
            if (none != HttpStatusCode.Unauthorized)
            {
                failures.Add($"{method} {template} without credentials: {(int)none}");
            }

            foreach (var role in Roles)
            {
                var status = await SendAsync(clients[role], method, path);
                var ok = allowed.Contains(role) ? status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) && (int)status < 500 : status == HttpStatusCode.Forbidden;
                if (!ok)
                {
                    failures.Add($"{method} {template} as {role}: {(int)status} (allowed: {string.Join(", ", allowed)})");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task Services_refuse_direct_calls_only_the_privacy_officer_erases_and_limits_headers_and_the_reference_hold()
    {
        var host = platform;
        using var recruiter = host.Client("recruiter");
        using var privacy = host.Client("privacy-officer");
        using var admin = host.Client("admin");

        // Straight to a service, around the gateway: refused, with a key or with a token the gateway did not sign.
        var direct = host.ServiceUrl("candidates");
        using var around = new HttpClient { BaseAddress = direct };
        around.DefaultRequestHeaders.Add("X-Api-Key", host.ApiKey("recruiter"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await around.GetAsync("/api/candidates")).StatusCode);
        around.DefaultRequestHeaders.Authorization = new("Bearer", ServiceHost<Candidates.Data.CandidatesDbContext>.TokenFor("forger", "privacy-officer"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await around.GetAsync("/api/candidates")).StatusCode);

        // Erasure: a recruiter is refused, the privacy officer erases, both are in the audit log.
        var created = await recruiter.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo("Erik Audit", "erik.audit@example.se"));
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var byRecruiter = await recruiter.PostAsJsonAsync($"/api/candidates/{id}/erasure", new { ground = "art-17-request" });
        var byPrivacyOfficer = await privacy.PostAsJsonAsync($"/api/candidates/{id}/erasure", new { ground = "art-17-request" });
        Assert.Equal(HttpStatusCode.Forbidden, byRecruiter.StatusCode);
        Assert.Equal("application/problem+json", byRecruiter.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, byPrivacyOfficer.StatusCode);
        var audit = await Eventually.GetAsync(
            async () => await admin.GetFromJsonAsync<JsonElement>("/api/gateway/audit?action=erasure") is var page && page.GetProperty("total").GetInt32() >= 2 ? page.GetProperty("items").GetRawText() : null,
            TimeSpan.FromSeconds(15),
            "both erasure attempts in the audit log");
        var entries = JsonDocument.Parse(audit).RootElement.EnumerateArray().Select(e => (Actor: e.GetProperty("actor").GetString(), Status: e.GetProperty("status").GetInt32(), Path: e.GetProperty("path").GetString())).ToList();
        Assert.Contains(("key:development-privacy-officer", 200, $"/api/candidates/{id}/erasure"), entries);
        Assert.Contains(("key:development-recruiter", 403, $"/api/candidates/{id}/erasure"), entries);

        // Hygiene: size limit, security headers, the caller's trace id as correlation id.
        using var huge = new StringContent(new string('x', 2 * 1024 * 1024), Encoding.UTF8, "application/json");
        var tooLarge = await recruiter.PostAsync("/api/candidates", huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("application/problem+json", tooLarge.Content.Headers.ContentType?.MediaType);
        using var traced = new HttpRequestMessage(HttpMethod.Get, "/api/matching/weights");
        traced.Headers.Add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        var answer = await recruiter.SendAsync(traced);
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", answer.Headers.GetValues("X-Correlation-Id").Single());
        Assert.Equal("nosniff", answer.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"));

        // One API reference for all three services, with the gateway's authentication.
        using var anonymous = new HttpClient { BaseAddress = host.GatewayUrl };
        var page = await anonymous.GetAsync("/api-reference");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        foreach (var (service, path) in new[] { ("candidates", "/api/candidates"), ("engagements", "/api/engagements"), ("matching", "/api/matching/rankings") })
        {
            var document = await anonymous.GetFromJsonAsync<JsonElement>($"/openapi/{service}.json");
            Assert.True(document.GetProperty("paths").TryGetProperty(path, out _), $"{path} in the {service} reference");
            Assert.Equal("X-Api-Key", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("apiKey").GetProperty("name").GetString());
        }

        // A key's rate: bursts beyond the limit are 429 with Retry-After, as problems. With a key of its own: the limit
        // is per caller, and the development ops key's bucket, emptied, would refuse the next test's requests.
        var issued = await admin.PostAsJsonAsync("/api/gateway/keys", new { name = $"burst-{Guid.NewGuid():N}"[..20], role = "ops" });
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        using var ops = new HttpClient { BaseAddress = host.GatewayUrl };
        ops.DefaultRequestHeaders.Add("X-Api-Key", (await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString());
        var answers = await Task.WhenAll(Enumerable.Range(0, 400).Select(_ => ops.GetAsync("/api/matching/index")));
        var limited = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.True(limited[0].Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("application/problem+json", limited[0].Content.Headers.ContentType?.MediaType);
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex PathParameter();
}
