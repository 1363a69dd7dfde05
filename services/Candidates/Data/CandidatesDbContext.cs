using InterimPlatform.Candidates.Pool;
using InterimPlatform.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace InterimPlatform.Candidates.Data;

/// <summary>The candidates database: the pool, and this service's outbox and inbox.</summary>
public sealed class CandidatesDbContext(DbContextOptions<CandidatesDbContext> options) : DbContext(options)
{
    public DbSet<Candidate> Candidates => Set<Candidate>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Candidate>(candidate =>
        {
            candidate.ToTable("candidates");
            candidate.HasKey(c => c.Id);
            candidate.Property(c => c.Id).HasColumnName("id");
            candidate.Property(c => c.FullName).HasColumnName("full_name").HasMaxLength(Candidate.MaxNameLength);
            candidate.Property(c => c.Email).HasColumnName("email").HasMaxLength(Candidate.MaxEmailLength);
            candidate.Property(c => c.Country).HasColumnName("country").HasMaxLength(2).IsFixedLength();
            candidate.Property(c => c.Summary).HasColumnName("summary").HasMaxLength(Candidate.MaxSummaryLength);
            candidate.Property(c => c.RegisteredAt).HasColumnName("registered_at");
            candidate.HasIndex(c => c.Email).IsUnique();
        });
        modelBuilder.AddOutboxAndInbox();
    }
}

/// <summary>Lets <c>dotnet ef</c> build the model without running the service.</summary>
internal sealed class CandidatesDbContextFactory : IDesignTimeDbContextFactory<CandidatesDbContext>
{
    public CandidatesDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<CandidatesDbContext>().UseNpgsql("Host=localhost;Database=candidates").Options);
}
