using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Matching.Pool;
using InterimPlatform.Matching.Ranking;
using InterimPlatform.Matching.Shortlists;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Idempotency;
using InterimPlatform.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace InterimPlatform.Matching.Data;

/// <summary>The matching database: Matching's read model of the pool, placements, stored shortlists, and its outbox and inbox.</summary>
public sealed class MatchingDbContext(DbContextOptions<MatchingDbContext> options) : DbContext(options)
{
    public DbSet<PoolCandidate> PoolCandidates => Set<PoolCandidate>();

    public DbSet<PlacementRecord> Placements => Set<PlacementRecord>();

    public DbSet<Shortlist> Shortlists => Set<Shortlist>();

    public DbSet<ShortlistEntry> ShortlistEntries => Set<ShortlistEntry>();

    public DbSet<ShortlistOverride> ShortlistOverrides => Set<ShortlistOverride>();

    /// <summary>Queues an integration event about <paramref name="aggregateId"/>, committed with the next SaveChanges.</summary>
    public void Publish<T>(T @event, Guid aggregateId, DateTimeOffset now) where T : class =>
        Set<OutboxMessage>().Add(OutboxMessage.Create(@event, aggregateId.ToString(), now));

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<PoolCandidate>(candidate =>
        {
            candidate.ToTable("pool_candidates");
            candidate.HasKey(c => c.CandidateId);
            candidate.Property(c => c.CandidateId).ValueGeneratedNever();
            candidate.Property(c => c.VettingStatus).HasMaxLength(40);
            // A conflicting concurrent update fails and the message is retried on the fresh row.
            candidate.Property(c => c.Version).IsRowVersion();
            // The profile as the event carried it: Matching reads it whole into its index.
            candidate.Property(c => c.Profile).AsJson();
            candidate.HasIndex(c => new { c.RegisteredAt, c.CandidateId });
        });

        modelBuilder.Entity<PlacementRecord>(placement =>
        {
            placement.ToTable("placements");
            placement.HasKey(p => p.PlacementId);
            placement.Property(p => p.PlacementId).ValueGeneratedNever();
            placement.HasIndex(p => p.CandidateId);
        });

        modelBuilder.Entity<Shortlist>(shortlist =>
        {
            shortlist.ToTable("shortlists");
            shortlist.HasKey(s => s.Id);
            shortlist.Property(s => s.Id).ValueGeneratedNever();
            shortlist.Property(s => s.Kind).HasMaxLength(20);
            shortlist.Property(s => s.WeightsVersion).HasMaxLength(100);
            shortlist.Property(s => s.RequestedBy).HasMaxLength(200);
            shortlist.Property(s => s.Brief).AsJson();
            shortlist.Property(s => s.Weights).AsJson();
            shortlist.Property(s => s.FilteredOut).AsJson();
            shortlist.HasIndex(s => new { s.EngagementId, s.CreatedAt });
            shortlist.HasIndex(s => s.RequestId).IsUnique();
            shortlist.HasMany(s => s.Entries).WithOne().HasForeignKey(e => e.ShortlistId).OnDelete(DeleteBehavior.Cascade);
            shortlist.HasMany(s => s.Overrides).WithOne().HasForeignKey(o => o.ShortlistId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ShortlistEntry>(entry =>
        {
            entry.ToTable("shortlist_entries");
            entry.HasKey(e => new { e.ShortlistId, e.CandidateId });
            entry.Property(e => e.Criteria).AsJson();
            entry.Property(e => e.Exclusion).HasMaxLength(40);
            // Erasure finds every shortlist a person is on.
            entry.HasIndex(e => e.CandidateId);
        });

        modelBuilder.Entity<ShortlistOverride>(entry =>
        {
            entry.ToTable("shortlist_overrides");
            entry.HasKey(o => o.Id);
            entry.Property(o => o.Id).ValueGeneratedNever();
            entry.Property(o => o.Action).HasMaxLength(10);
            entry.Property(o => o.Reason).HasMaxLength(1000);
            entry.Property(o => o.Actor).HasMaxLength(200);
            entry.HasIndex(o => o.CandidateId);
        });

        modelBuilder.AddOutboxAndInbox();
        modelBuilder.AddIdempotentRequests();
    }
}

/// <summary>Lets <c>dotnet ef</c> build the model without running the service.</summary>
internal sealed class MatchingDbContextFactory : IDesignTimeDbContextFactory<MatchingDbContext>
{
    public MatchingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<MatchingDbContext>().UseServiceDatabase("Host=localhost;Database=matching").Options);
}
