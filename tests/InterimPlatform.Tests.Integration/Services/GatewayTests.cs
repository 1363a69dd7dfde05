using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using InterimPlatform.Gateway.Access;
using InterimPlatform.Gateway.Data;
using InterimPlatform.Tests.Integration.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace InterimPlatform.Tests.Integration.Services;

/// <summary>The gateway in-process against a real PostgreSQL: bearer tokens from a configured issuer, and API keys made by an admin.</summary>
[Collection(PlatformServersCollection.Name)]
public sealed class GatewayTests(PlatformServers servers) : IAsyncLifetime
{
    private const string IssuerKey = "a-test-identity-provider-key-of-at-least-32-bytes";
    private const string AdminKey = "ipk.testadmin.0123456789abcdefghijABCDEFGHIJ";
    private ServiceHost<GatewayDbContext> _gateway = null!;
    private string _database = "";

    public async Task InitializeAsync()
    {
        var connectionString = await servers.CreateDatabaseAsync("gateway");
        _database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        _gateway = new ServiceHost<GatewayDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:gatewaydb"] = connectionString,
            ["Gateway:Jwt:Issuer"] = "https://id.example.test",
            ["Gateway:Cors:Origins:0"] = "https://ats.example.test",
            ["Gateway:Jwt:Audience"] = "interimplatform",
            ["Gateway:Jwt:SigningKey"] = IssuerKey,
            ["Gateway:BootstrapKeys:0:Name"] = "test-admin",
            ["Gateway:BootstrapKeys:0:Role"] = "admin",
            ["Gateway:BootstrapKeys:0:Key"] = $"testadmin:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(AdminKey)))}",
        });
        await _gateway.WaitUntilHealthyAsync();
    }

    [Fact]
    public async Task Bearer_tokens_from_the_configured_issuer_carry_their_roles_and_anything_else_is_refused()
    {
        var asAdmin = await GetAuditAsync(Token(["admin"]));
        var asPrivacyOfficer = await GetAuditAsync(Token(["privacy-officer"]));
        var asRecruiter = await GetAuditAsync(Token(["recruiter"]));
        var expired = await GetAuditAsync(Token(["admin"], expires: DateTime.UtcNow.AddMinutes(-10)));
        var otherIssuerKey = await GetAuditAsync(Token(["admin"], key: "some-other-provider-key-of-at-least-32-bytes"));
        var none = await _gateway.CreateClient().GetAsync("/api/gateway/audit");

        Assert.Equal(HttpStatusCode.OK, asAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, asPrivacyOfficer.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, asRecruiter.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherIssuerKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("application/problem+json", none.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_admin_creates_a_key_that_works_at_once_is_shown_once_and_stops_working_when_revoked()
    {
        var admin = Client(AdminKey);

        var created = await admin.PostAsJsonAsync("/api/gateway/keys", new KeyRequest("ops-dashboard", "ops"));
        var key = (await created.Content.ReadFromJsonAsync<CreatedKey>())!;
        var listed = (await admin.GetFromJsonAsync<List<KeyView>>("/api/gateway/keys"))!;
        var asOps = await Client(key.Key).GetAsync("/api/gateway/keys");
        var wrongSecret = await Client(key.Key[..^3] + "xyz").GetAsync("/api/gateway/keys");
        await admin.DeleteAsync($"/api/gateway/keys/{key.Id}");
        var revoked = await Client(key.Key).GetAsync("/api/gateway/audit");
        var badRole = await admin.PostAsJsonAsync("/api/gateway/keys", new KeyRequest("x", "superuser"));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.StartsWith("ipk.", key.Key, StringComparison.Ordinal);
        Assert.Contains(listed, k => k.Id == key.Id && k.Role == "ops");
        Assert.DoesNotContain(key.Key, await admin.GetStringAsync("/api/gateway/keys"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, asOps.StatusCode); // authenticated as ops, but keys are for admins
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);
    }

    [Fact]
    public async Task Health_checks_the_gateways_own_database_and_fails_when_it_is_gone()
    {
        var client = _gateway.CreateClient();
        using (var report = JsonDocument.Parse(await client.GetStringAsync("/health")))
        {
            Assert.Equal("Healthy", report.RootElement.GetProperty("checks").GetProperty("gatewaydb").GetProperty("status").GetString());
        }

        await using (var admin = new NpgsqlConnection(servers.Postgres.GetConnectionString("postgres")))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE \"{_database}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        using var response = await client.GetAsync("/health");
        using var failed = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Unhealthy", failed.RootElement.GetProperty("checks").GetProperty("gatewaydb").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_key_request_with_type_errors_or_a_NUL_is_one_problem_naming_each_field_and_nothing_is_stored()
    {
        var admin = Client(AdminKey);

        var typeErrors = await admin.PostAsync("/api/gateway/keys", FieldErrors.Json("""{ "name": 7, "role": ["admin"] }"""));
        var nul = await admin.PostAsJsonAsync("/api/gateway/keys", new KeyRequest("ats\u0000integration", "recruiter"));
        var nulInQuery = await admin.GetAsync("/api/gateway/audit?actor=%00");

        var errors = await FieldErrors.AssertAsync(typeErrors, "name", "role");
        Assert.Equal("Must be text.", errors.GetProperty("role")[0].GetString());
        await FieldErrors.AssertAsync(nul, "name");
        await FieldErrors.AssertAsync(nulInQuery, "actor");
        var keys = await admin.GetStringAsync("/api/gateway/keys");
        Assert.DoesNotContain("ats", keys, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_browser_client_of_an_allowed_origin_may_send_an_Idempotency_Key_and_read_whether_the_answer_was_replayed()
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/candidates");
        preflight.Headers.Add("Origin", "https://ats.example.test");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,x-api-key,idempotency-key");

        using var response = await _gateway.CreateClient().SendAsync(preflight);

        Assert.True(response.IsSuccessStatusCode, $"preflight: {(int)response.StatusCode}");
        var allowed = string.Join(",", response.Headers.GetValues("Access-Control-Allow-Headers")).ToLowerInvariant();
        Assert.Contains("idempotency-key", allowed, StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/gateway/keys");
        request.Headers.Add("Origin", "https://ats.example.test");
        request.Headers.Add("X-Api-Key", AdminKey);
        using var answer = await _gateway.CreateClient().SendAsync(request);
        Assert.Contains("Idempotent-Replayed", string.Join(",", answer.Headers.GetValues("Access-Control-Expose-Headers")), StringComparison.OrdinalIgnoreCase);
    }

    private HttpClient Client(string apiKey)
    {
        var client = _gateway.CreateClient();
        client.DefaultRequestHeaders.Authorization = null;
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    private Task<HttpResponseMessage> GetAuditAsync(string token)
    {
        var client = _gateway.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.GetAsync("/api/gateway/audit");
    }

    private static string Token(string[] roles, DateTime? expires = null, string key = IssuerKey) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://id.example.test",
            Audience = "interimplatform",
            NotBefore = (expires ?? DateTime.UtcNow.AddMinutes(10)).AddMinutes(-30),
            Expires = expires ?? DateTime.UtcNow.AddMinutes(10),
            Claims = new Dictionary<string, object> { ["name"] = "anna@agency.example", ["roles"] = roles },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });

    public async Task DisposeAsync() => await _gateway.DisposeAsync();
}
