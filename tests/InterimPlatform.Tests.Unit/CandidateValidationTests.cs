using InterimPlatform.Candidates.Pool;

namespace InterimPlatform.Tests.Unit;

public sealed class CandidateValidationTests
{
    [Fact]
    public void A_complete_request_is_valid()
    {
        Assert.Empty(CandidateEndpoints.Validate(new RegisterCandidateRequest("Astrid Berg", "astrid@example.se", "SE", null)));
    }

    [Fact]
    public void Each_bad_field_is_named()
    {
        var errors = CandidateEndpoints.Validate(new RegisterCandidateRequest(" ", "not-an-address", "Sweden", new string('x', Candidate.MaxSummaryLength + 1)));

        Assert.Equal(["country", "email", "fullName", "summary"], errors.Keys.Order(StringComparer.Ordinal));
    }
}
