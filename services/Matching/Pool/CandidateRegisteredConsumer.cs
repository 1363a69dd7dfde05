using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Matching.Data;
using InterimPlatform.Messaging.Inbox;
using MassTransit;

namespace InterimPlatform.Matching.Pool;

/// <summary>Adds a newly registered candidate to Matching's read model (once, however often the event arrives).</summary>
public sealed class CandidateRegisteredConsumer(MatchingDbContext db, TimeProvider timeProvider)
    : IdempotentConsumer<CandidateRegistered, MatchingDbContext>(db, timeProvider)
{
    protected override async Task HandleAsync(CandidateRegistered message, ConsumeContext<CandidateRegistered> context, CancellationToken cancellationToken)
    {
        var profile = await Db.CandidateProfiles.FindAsync([message.CandidateId], cancellationToken);
        if (profile is null)
        {
            Db.CandidateProfiles.Add(new CandidateProfile
            {
                CandidateId = message.CandidateId,
                FullName = message.FullName,
                Country = message.Country,
                RegisteredAt = message.RegisteredAt,
                UpdatedAt = TimeProvider.GetUtcNow(),
            });
        }
        else
        {
            profile.FullName = message.FullName;
            profile.Country = message.Country;
            profile.UpdatedAt = TimeProvider.GetUtcNow();
        }
    }
}
