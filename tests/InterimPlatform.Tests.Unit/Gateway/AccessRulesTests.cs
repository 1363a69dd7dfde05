using InterimPlatform.Gateway.Access;
using Microsoft.AspNetCore.Http;

namespace InterimPlatform.Tests.Unit.Gateway;

public sealed class AccessRulesTests
{
    [Theory]
    [InlineData("POST", "/api/candidates/0193f1a2-7c4e-7d2a-9b1e-3f5c2a8d4e61/erasure", "privacy-officer")]
    [InlineData("GET", "/api/candidates/0193f1a2-7c4e-7d2a-9b1e-3f5c2a8d4e61/export", "privacy-officer")]
    [InlineData("GET", "/api/candidates/0193f1a2-7c4e-7d2a-9b1e-3f5c2a8d4e61", "recruiter")]
    [InlineData("POST", "/api/candidates", "recruiter")]
    [InlineData("GET", "/api/candidates/privacy/partner-notices", "privacy-officer")]
    [InlineData("GET", "/api/candidates/partner-intake/tallies", "ops,admin")]
    [InlineData("GET", "/api/engagements/sla/kpis", "recruiter,ops")]
    [InlineData("PUT", "/api/engagements/0193f1a2-7c4e-7d2a-9b1e-3f5c2a8d4e61", "recruiter")]
    [InlineData("GET", "/api/matching/messaging/error-queues", "ops,admin")]
    [InlineData("POST", "/api/matching/messaging/error-queues/matching-candidate-registered/replay", "admin")]
    [InlineData("POST", "/api/candidates/messaging/error-queues/candidates-partner-intake/discard", "admin")]
    [InlineData("GET", "/api/candidates/messaging/error-queues/candidates-partner-intake/messages", "ops,admin")]
    [InlineData("DELETE", "/api/engagements/messaging/error-queues/engagements-candidate-placed/messages/m-1", "admin")]
    [InlineData("GET", "/api/matching/weights", "recruiter,ops,admin")]
    [InlineData("POST", "/api/matching/rankings", "recruiter")]
    [InlineData("GET", "/api/gateway/keys", "admin")]
    [InlineData("DELETE", "/api/gateway/keys/abc", "admin")]
    [InlineData("GET", "/api/gateway/audit", "admin,privacy-officer")]
    [InlineData("PATCH", "/api/candidates/0193f1a2-7c4e-7d2a-9b1e-3f5c2a8d4e61", "")]
    [InlineData("GET", "/api/unknown", "")]
    [InlineData("DELETE", "/api/matching/shortlists/0193f1a2-7c4e-7d2a-9b1e-3f5c2a8d4e61", "")]
    public void The_first_matching_rule_names_who_may_make_the_request(string method, string path, string roles)
    {
        var allowed = AccessRules.AllowedRoles(method, new PathString(path));

        Assert.Equal(roles.Split(',', StringSplitOptions.RemoveEmptyEntries), allowed);
    }

    [Fact]
    public void Only_the_privacy_officer_may_erase_and_export()
    {
        foreach (var path in new[] { "/api/candidates/x/erasure", "/api/candidates/x/export" })
        {
            var method = path.EndsWith("erasure", StringComparison.Ordinal) ? "POST" : "GET";
            Assert.Equal(["privacy-officer"], AccessRules.AllowedRoles(method, new PathString(path)));
        }
    }
}
