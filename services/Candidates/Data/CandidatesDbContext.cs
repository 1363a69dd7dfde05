using System.Text.Json;
using InterimPlatform.Candidates.PartnerIntake;
using InterimPlatform.Candidates.Placements;
using InterimPlatform.Candidates.Privacy;
using InterimPlatform.Candidates.Profiles;
using InterimPlatform.Candidates.Vetting;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Idempotency;
using InterimPlatform.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace InterimPlatform.Candidates.Data;

/// <summary>The candidates database: the pool, vetting history, placements, erasure records, partner intake tallies, and this service's outbox and inbox.</summary>
public sealed class CandidatesDbContext(DbContextOptions<CandidatesDbContext> options) : DbContext(options)
{
    public DbSet<Candidate> Candidates => Set<Candidate>();

    public DbSet<VettingEvent> VettingEvents => Set<VettingEvent>();

    public DbSet<CandidatePlacement> Placements => Set<CandidatePlacement>();

    public DbSet<ErasureRecord> Erasures => Set<ErasureRecord>();

    public DbSet<PartnerTombstone> PartnerTombstones => Set<PartnerTombstone>();

    public DbSet<PartnerRejection> PartnerRejections => Set<PartnerRejection>();

    public DbSet<PartnerIntakeTally> PartnerIntakeTallies => Set<PartnerIntakeTally>();

    /// <summary>Queues an integration event about <paramref name="candidateId"/>, committed with the next SaveChanges.</summary>
    public void Publish<T>(T @event, Guid candidateId, DateTimeOffset now) where T : class =>
        Set<OutboxMessage>().Add(OutboxMessage.Create(@event, candidateId.ToString(), now));

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Candidate>(candidate =>
        {
            candidate.ToTable("candidates");
            candidate.Property(c => c.FullName).HasMaxLength(Candidate.MaxNameLength);
            candidate.Property(c => c.Email).HasMaxLength(Candidate.MaxEmailLength);
            candidate.Property(c => c.Country).HasMaxLength(2).IsFixedLength();
            candidate.Property(c => c.Currency).HasMaxLength(3).IsFixedLength();
            candidate.Property(c => c.Summary).HasMaxLength(Candidate.MaxSummaryLength);
            candidate.Property(c => c.VettingStatus).HasMaxLength(40);
            candidate.Property(c => c.Version).IsRowVersion();
            candidate.OwnsMany(c => c.Languages, b => b.ToJson());
            candidate.OwnsMany(c => c.TrackRecord, b => b.ToJson());
            candidate.HasGeneratedTsVectorColumn(c => c.SearchVector, "simple", c => new { c.FullName, c.Summary })
                .HasIndex(c => c.SearchVector).HasMethod("GIN");
            candidate.HasIndex(c => c.Email).IsUnique().HasFilter("email IS NOT NULL");
            candidate.HasIndex(c => new { c.PartnerId, c.PartnerPersonId }).IsUnique().HasFilter("partner_id IS NOT NULL");
            foreach (var list in new[] { nameof(Candidate.Levels), nameof(Candidate.Disciplines), nameof(Candidate.Industries), nameof(Candidate.Skills), nameof(Candidate.EngagementTypes), nameof(Candidate.LanguageCodes) })
            {
                candidate.HasIndex(list).HasMethod("GIN");
            }

            candidate.HasIndex(c => c.Country);
            candidate.HasIndex(c => c.VettingStatus);
            candidate.HasIndex(c => c.AvailableFrom);
            candidate.HasIndex(c => c.DayRate);
            candidate.HasIndex(c => new { c.FullName, c.Id });
            candidate.HasIndex(c => new { c.RegisteredAt, c.Id });
        });

        modelBuilder.Entity<VettingEvent>(vetting =>
        {
            vetting.ToTable("vetting_events");
            vetting.HasIndex(v => new { v.CandidateId, v.Id });
            vetting.Property(v => v.TraitScores).HasColumnType("jsonb").HasConversion(
                v => v == null ? null : JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
                v => v == null ? null : JsonSerializer.Deserialize<Dictionary<string, int>>(v, JsonSerializerOptions.Default));
        });

        modelBuilder.Entity<CandidatePlacement>(placement =>
        {
            placement.ToTable("candidate_placements");
            placement.HasKey(p => p.PlacementId);
            placement.Property(p => p.PlacementId).ValueGeneratedNever();
            // Deleting the candidate (erasure, partner withdrawal) deletes their placements with them.
            placement.HasOne<Candidate>().WithMany().HasForeignKey(p => p.CandidateId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ErasureRecord>(erasure =>
        {
            erasure.ToTable("erasures");
            erasure.HasKey(e => e.CandidateId);
        });

        modelBuilder.Entity<PartnerTombstone>(tombstone =>
        {
            tombstone.ToTable("partner_tombstones");
            tombstone.HasKey(t => new { t.PartnerId, t.PartnerPersonId });
        });

        modelBuilder.Entity<PartnerRejection>(rejection =>
        {
            rejection.ToTable("partner_rejections");
            rejection.HasKey(r => new { r.MessageKey, r.SenderId });
            rejection.Property(r => r.MessageKey).HasMaxLength(64).IsFixedLength();
        });

        modelBuilder.Entity<PartnerIntakeTally>(tally =>
        {
            tally.ToTable("partner_intake_tallies");
            // Bucket first: the tallies endpoint reads a time range across partners.
            tally.HasKey(t => new { t.BucketStart, t.PartnerId, t.Writer });
            tally.Property(t => t.PartnerId).HasMaxLength(PartnerIntakeTally.MaxPartnerIdLength);
            tally.Property(t => t.Writer).HasMaxLength(PartnerIntakeTally.MaxWriterLength);
        });

        modelBuilder.AddOutboxAndInbox();
        modelBuilder.AddIdempotentRequests();
    }
}

/// <summary>Lets <c>dotnet ef</c> build the model without running the service.</summary>
internal sealed class CandidatesDbContextFactory : IDesignTimeDbContextFactory<CandidatesDbContext>
{
    public CandidatesDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<CandidatesDbContext>().UseServiceDatabase("Host=localhost;Database=candidates").Options);
}
