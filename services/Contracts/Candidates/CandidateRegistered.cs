namespace InterimPlatform.Contracts.Candidates.V1;

/// <summary>
/// A person entered the candidate pool. Carries what other services need to know about the person
/// without calling Candidates back.
/// </summary>
/// <param name="CandidateId">The candidate's id in Candidates; stable for the person's lifetime.</param>
/// <param name="FullName">Name as recorded by the agency.</param>
/// <param name="Country">ISO 3166-1 alpha-2 country of residence.</param>
/// <param name="RegisteredAt">When the candidate was registered.</param>
public sealed record CandidateRegistered(Guid CandidateId, string FullName, string Country, DateTimeOffset RegisteredAt);
