using System.Data;
using InterimPlatform.Candidates.Data;
using InterimPlatform.Candidates.Privacy;
using InterimPlatform.Candidates.Profiles;
using InterimPlatform.Candidates.Vetting;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Contracts.Partners;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Inbox;
using InterimPlatform.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace InterimPlatform.Candidates.PartnerIntake;

/// <summary>What became of one valid partner message.</summary>
public sealed record IntakeOutcome(ReadMessage Read, string Status, IReadOnlyList<string> Reasons, Guid? CandidateId);

/// <summary>
/// Applies a batch of valid partner messages in one transaction, set-based: one query for the messages
/// seen before, one for the people already known, one for e-mail owners; new people, their first vetting
/// step, every event and every inbox row go in by binary COPY; changes to known people through EF Core.
/// A message id seen before changes nothing; (partner, person) always maps to the same candidate; a
/// message older than the one applied for that person is ignored. Every outcome, and those passed in
/// <c>alsoTally</c>, is counted in <see cref="PartnerIntakeTally"/> rows in the same transaction.
/// </summary>
/// <param name="writer">The intake worker instance whose tally rows this batch adds to (<see cref="PartnerIntakeTallies.NewWriter"/>).</param>
public sealed class PartnerIntakeProcessor(CandidatesDbContext db, TimeProvider time, string writer)
{
    public const string InboxConsumer = "PartnerIntake";

    /// <summary>
    /// One unit of work under the execution strategy: an attempt that met a broken connection before its commit
    /// runs again whole, reading everything afresh.
    /// </summary>
    /// <param name="alsoTally">Outcomes decided outside the batch (messages rejected before it) to count with it.</param>
    public Task<IReadOnlyList<IntakeOutcome>> ApplyAsync(IReadOnlyList<ReadMessage> batch, IReadOnlyList<IntakeOutcome> alsoTally, CancellationToken cancellationToken) =>
        db.InUnitOfWorkAsync(ct => ApplyOnceAsync(batch, alsoTally, ct), cancellationToken);

    private async Task<IReadOnlyList<IntakeOutcome>> ApplyOnceAsync(IReadOnlyList<ReadMessage> batch, IReadOnlyList<IntakeOutcome> alsoTally, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNowForStorage();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        // One snapshot for every read and the writes: with replicas taking batches side by side, a batch must not
        // see another's commit half-way (its message not in the inbox yet, but its new candidate's e-mail taken).
        // A conflicting commit then fails this batch as a whole: a serialization failure, retried by the caller.
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        // One batch at a time, across replicas, each seeing the one before: without this, a batch registering a person
        // and one withdrawing them could commit side by side, each blind to the other's rows (a candidate, a
        // tombstone: no row in common, so no serialization failure), and leave a withdrawn person in the pool. LOCK
        // takes no snapshot, so the snapshot starts after the previous holder committed.
        await db.Database.ExecuteSqlRawAsync("LOCK TABLE partner_tombstones IN SHARE ROW EXCLUSIVE MODE", cancellationToken);
        var ids = batch.Select(m => m.Message!.MessageId!.Value).ToList();
        var seen = (await db.Set<InboxMessage>().AsNoTracking()
            .Where(i => i.Consumer == InboxConsumer && ids.Contains(i.MessageId))
            .Select(i => i.MessageId)
            .ToListAsync(cancellationToken)).ToHashSet();

        var people = new Dictionary<(string Partner, string Person), Candidate>();
        var tombstones = new Dictionary<(string Partner, string Person), PartnerTombstone>();
        foreach (var partner in batch.GroupBy(m => m.PartnerId))
        {
            var personIds = partner.Select(m => m.Message!.Candidate!.PartnerPersonId!).Distinct().ToList();
            foreach (var candidate in await db.Candidates.Where(c => c.PartnerId == partner.Key && personIds.Contains(c.PartnerPersonId!)).ToListAsync(cancellationToken))
            {
                people[(partner.Key, candidate.PartnerPersonId!)] = candidate;
            }

            foreach (var tombstone in await db.PartnerTombstones.Where(t => t.PartnerId == partner.Key && personIds.Contains(t.PartnerPersonId)).ToListAsync(cancellationToken))
            {
                tombstones[(tombstone.PartnerId, tombstone.PartnerPersonId)] = tombstone;
            }
        }

        var emails = batch.Where(m => m.Profile?.Email is not null).Select(m => m.Profile!.Email!.Trim().ToLowerInvariant()).Distinct().ToList();
        var emailOwners = (await db.Candidates.AsNoTracking()
            .Where(c => c.Email != null && emails.Contains(c.Email))
            .Select(c => new { c.Email, c.Id })
            .ToListAsync(cancellationToken)).ToDictionary(c => c.Email!, c => c.Id);

        var created = new List<Candidate>();
        var firstSteps = new List<VettingEvent>();
        var events = new List<OutboxMessage>();
        var inbox = new List<InboxMessage>();
        var erased = new List<Guid>();
        var outcomes = new List<IntakeOutcome>(batch.Count);
        void Publish<T>(T @event, Guid candidateId) where T : class => events.Add(OutboxMessage.Create(@event, candidateId.ToString(), now));

        for (var index = 0; index < batch.Count; index++) // in arrival order, as if one by one
        {
            var read = batch[index];
            var message = read.Message!;
            var key = (read.PartnerId, message.Candidate!.PartnerPersonId!);
            // Each message's events get their own instant, so a consumer comparing times sees their order.
            var at = now.AddTicks(10 * index);
            if (!seen.Add(message.MessageId!.Value))
            {
                outcomes.Add(new IntakeOutcome(read, ReceiptStatus.Duplicate, [], people.GetValueOrDefault(key)?.Id));
                continue;
            }

            people.TryGetValue(key, out var candidate);
            var appliedUpTo = candidate?.PartnerUpdatedAt ?? tombstones.GetValueOrDefault(key)?.Cutoff;
            if (appliedUpTo > message.SentAt)
            {
                Remember(message);
                var why = candidate is null ? $"The person was withdrawn or erased at {appliedUpTo:O}, after this message was sent." : $"A message sent at {appliedUpTo:O} was applied already.";
                outcomes.Add(new IntakeOutcome(read, ReceiptStatus.Stale, [why], candidate?.Id));
                continue;
            }

            if (message.Kind == PartnerMessageReader.Withdraw)
            {
                Remember(message);
                if (candidate is not null)
                {
                    Withdraw(candidate, at);
                    people.Remove(key);
                }

                Tombstone(key, message.SentAt!.Value);
                outcomes.Add(new IntakeOutcome(read, ReceiptStatus.Accepted, [], candidate?.Id));
                continue;
            }

            var email = read.Profile!.Email?.Trim().ToLowerInvariant();
            if (email is not null && emailOwners.TryGetValue(email, out var owner) && owner != candidate?.Id)
            {
                // Not remembered in the inbox: once fixed on our side, the same message may be sent again.
                outcomes.Add(new IntakeOutcome(read, ReceiptStatus.Rejected, [$"candidate.email: {email} belongs to another candidate in the pool."], null));
                continue;
            }

            Remember(message);

            if (candidate is null)
            {
                candidate = CandidateInputRules.Create(read.Profile, at, today);
                candidate.Source = "partner";
                candidate.PartnerId = read.PartnerId;
                candidate.PartnerPersonId = message.Candidate.PartnerPersonId;
                candidate.PartnerUpdatedAt = message.SentAt;
                created.Add(candidate);
                firstSteps.Add(new VettingEvent { CandidateId = candidate.Id, From = "", To = candidate.VettingStatus, At = at, By = $"partner:{read.PartnerId}", Reason = "pushed by partner" });
                Publish(CandidateContracts.Registered(candidate), candidate.Id);
                people[key] = candidate;
            }
            else
            {
                var availability = CandidateContracts.Availability(candidate);
                CandidateInputRules.Apply(candidate, read.Profile, today);
                candidate.PartnerUpdatedAt = message.SentAt;
                candidate.UpdatedAt = at;
                Publish(new CandidateProfileChanged(candidate.Id, CandidateContracts.Profile(candidate), at), candidate.Id);
                if (CandidateContracts.Availability(candidate) != availability)
                {
                    Publish(new CandidateAvailabilityChanged(candidate.Id, CandidateContracts.Availability(candidate), at), candidate.Id);
                }
            }

            if (email is not null)
            {
                emailOwners[email] = candidate.Id;
            }

            outcomes.Add(new IntakeOutcome(read, ReceiptStatus.Accepted, [], candidate.Id));
        }

        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (erased.Count > 0)
        {
            // A withdrawn person's history and earlier events go with them; only the erasure event leaves.
            var aggregates = erased.Select(id => id.ToString()).ToList();
            await db.VettingEvents.Where(v => erased.Contains(v.CandidateId)).ExecuteDeleteAsync(cancellationToken);
            await db.Set<OutboxMessage>().Where(m => aggregates.Contains(m.AggregateId)).ExecuteDeleteAsync(cancellationToken);
        }

        await CandidateBulkInsert.CopyAsync(connection, created, firstSteps, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await BulkWrites.CopyOutboxAsync(connection, events, cancellationToken);
        await BulkWrites.CopyInboxAsync(connection, inbox, cancellationToken);
        await PartnerIntakeTallies.AddAsync(db, writer, now, outcomes.Concat(alsoTally), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return outcomes;

        void Remember(PartnerMessage message) =>
            inbox.Add(new InboxMessage { MessageId = message.MessageId!.Value, Consumer = InboxConsumer, ReceivedAt = now });

        void Tombstone((string Partner, string Person) key, DateTimeOffset cutoff)
        {
            if (tombstones.TryGetValue(key, out var tombstone))
            {
                tombstone.Cutoff = cutoff > tombstone.Cutoff ? cutoff : tombstone.Cutoff;
            }
            else
            {
                tombstones[key] = db.PartnerTombstones.Add(new PartnerTombstone { PartnerId = key.Partner, PartnerPersonId = key.Person, Cutoff = cutoff }).Entity;
            }
        }

        void Withdraw(Candidate candidate, DateTimeOffset at)
        {
            var aggregate = candidate.Id.ToString();
            events.RemoveAll(e => e.AggregateId == aggregate);
            if (created.Remove(candidate))
            {
                // Pushed and withdrawn within one batch: it never reaches the database.
                firstSteps.RemoveAll(v => v.CandidateId == candidate.Id);
            }
            else
            {
                db.Candidates.Remove(candidate);
                erased.Add(candidate.Id);
            }

            db.Erasures.Add(new ErasureRecord { CandidateId = candidate.Id, ErasedAt = at, ErasedBy = $"partner:{candidate.PartnerId}", Ground = "partner-withdrawal" });
            Publish(new CandidateErased(candidate.Id, at), candidate.Id);
        }
    }
}
