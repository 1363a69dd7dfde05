using System.Text.Json;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Matching.Pool;
using InterimPlatform.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace InterimPlatform.Matching.Data;

/// <summary>The matching database: Matching's own read model of the pool, and its outbox and inbox.</summary>
public sealed class MatchingDbContext(DbContextOptions<MatchingDbContext> options) : DbContext(options)
{
    public DbSet<PoolCandidate> PoolCandidates => Set<PoolCandidate>();

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
            candidate.Property(c => c.Profile).HasColumnType("jsonb").HasConversion(
                p => p == null ? null : JsonSerializer.Serialize(p, JsonSerializerOptions.Web),
                p => p == null ? null : JsonSerializer.Deserialize<CandidateProfile>(p, JsonSerializerOptions.Web));
            candidate.HasIndex(c => new { c.RegisteredAt, c.CandidateId });
        });
        modelBuilder.AddOutboxAndInbox();
    }
}

/// <summary>Lets <c>dotnet ef</c> build the model without running the service.</summary>
internal sealed class MatchingDbContextFactory : IDesignTimeDbContextFactory<MatchingDbContext>
{
    public MatchingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<MatchingDbContext>().UseServiceDatabase("Host=localhost;Database=matching").Options);
}
