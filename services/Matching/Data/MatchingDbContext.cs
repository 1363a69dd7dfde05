using InterimPlatform.Matching.Pool;
using InterimPlatform.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace InterimPlatform.Matching.Data;

/// <summary>The matching database: Matching's own read model of the pool, and its outbox and inbox.</summary>
public sealed class MatchingDbContext(DbContextOptions<MatchingDbContext> options) : DbContext(options)
{
    public DbSet<CandidateProfile> CandidateProfiles => Set<CandidateProfile>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<CandidateProfile>(profile =>
        {
            profile.ToTable("candidate_profiles");
            profile.HasKey(p => p.CandidateId);
            profile.Property(p => p.CandidateId).HasColumnName("candidate_id").ValueGeneratedNever();
            profile.Property(p => p.FullName).HasColumnName("full_name").HasMaxLength(200);
            profile.Property(p => p.Country).HasColumnName("country").HasMaxLength(2).IsFixedLength();
            profile.Property(p => p.RegisteredAt).HasColumnName("registered_at");
            profile.Property(p => p.UpdatedAt).HasColumnName("updated_at");
        });
        modelBuilder.AddOutboxAndInbox();
    }
}

/// <summary>Lets <c>dotnet ef</c> build the model without running the service.</summary>
internal sealed class MatchingDbContextFactory : IDesignTimeDbContextFactory<MatchingDbContext>
{
    public MatchingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<MatchingDbContext>().UseNpgsql("Host=localhost;Database=matching").Options);
}
