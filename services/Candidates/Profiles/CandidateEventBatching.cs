using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Messaging.Outbox;

namespace InterimPlatform.Candidates.Profiles;

/// <summary>
/// The outbox sends the candidate events it dispatches together as one <see cref="CandidateEventBatch"/>: during a
/// partner's push that is one message per few hundred people instead of one each. Erasures still travel alone
/// (every service consumes them, and they are rare).
/// </summary>
internal sealed class CandidateEventBatching : IOutboxBatchForm
{
    public bool Carries(Type eventType) =>
        eventType == typeof(CandidateRegistered)
        || eventType == typeof(CandidateProfileChanged)
        || eventType == typeof(CandidateAvailabilityChanged)
        || eventType == typeof(CandidateVettingChanged);

    public object Pack(IReadOnlyList<(Guid MessageId, object Event)> events) =>
        new CandidateEventBatch([.. events.Select(e => e.Event switch
        {
            CandidateRegistered registered => new CandidateEventBatchEntry(e.MessageId, Registered: registered),
            CandidateProfileChanged profile => new CandidateEventBatchEntry(e.MessageId, ProfileChanged: profile),
            CandidateAvailabilityChanged availability => new CandidateEventBatchEntry(e.MessageId, AvailabilityChanged: availability),
            CandidateVettingChanged vetting => new CandidateEventBatchEntry(e.MessageId, VettingChanged: vetting),
            _ => throw new ArgumentException($"A {e.Event.GetType().Name} does not travel in a {nameof(CandidateEventBatch)}.", nameof(events)),
        })]);
}
