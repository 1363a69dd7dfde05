using System.Net;
using InterimPlatform.Tests.Integration.Infrastructure;

namespace InterimPlatform.Tests.Integration.EndToEnd;

/// <summary>
/// The platform as the AppHost runs it (Production, unlike the in-process service tests) answers a body's type
/// errors and NUL characters through the gateway with one problem naming each field.
/// </summary>
[Collection(AspirePlatformCollection.Name)]
public sealed class FieldErrorTests(AspirePlatform platform)
{
    [Fact]
    public async Task Type_errors_and_a_NUL_through_the_gateway_are_one_problem_naming_each_field()
    {
        using var client = platform.Client();

        var typeErrors = await client.PostAsync("/api/engagements/clients", FieldErrors.Json("""{ "name": ["Nordic Foods AB"], "industry": 12 }"""));
        var nul = await client.PostAsync("/api/candidates", FieldErrors.Json("""{ "fullName": "Astrid\u0000Berg", "skills": "erp", "location": { "country": "SE" } }"""));
        var nulInQuery = await client.GetAsync("/api/candidates?skill=%00");

        var errors = await FieldErrors.AssertAsync(typeErrors, "name", "industry");
        Assert.Equal("Must be text.", errors.GetProperty("name")[0].GetString());
        await FieldErrors.AssertAsync(nul, "fullName", "skills");
        await FieldErrors.AssertAsync(nulInQuery, "skill");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/candidates?q=Astrid")).StatusCode);
    }
}
