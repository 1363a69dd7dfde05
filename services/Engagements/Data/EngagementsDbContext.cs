using InterimPlatform.Engagements.Desk;
using InterimPlatform.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace InterimPlatform.Engagements.Data;

/// <summary>The engagements database: the engagement desk's records, and this service's outbox and inbox.</summary>
public sealed class EngagementsDbContext(DbContextOptions<EngagementsDbContext> options) : DbContext(options)
{
    public DbSet<Engagement> Engagements => Set<Engagement>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Engagement>(engagement =>
        {
            engagement.ToTable("engagements");
            engagement.HasKey(e => e.Id);
            engagement.Property(e => e.Id).HasColumnName("id");
            engagement.Property(e => e.Title).HasColumnName("title").HasMaxLength(Engagement.MaxTitleLength);
            engagement.Property(e => e.ClientName).HasColumnName("client_name").HasMaxLength(Engagement.MaxClientNameLength);
            engagement.Property(e => e.State).HasColumnName("state").HasMaxLength(40);
            engagement.Property(e => e.CreatedAt).HasColumnName("created_at");
        });
        modelBuilder.AddOutboxAndInbox();
    }
}

/// <summary>Lets <c>dotnet ef</c> build the model without running the service.</summary>
internal sealed class EngagementsDbContextFactory : IDesignTimeDbContextFactory<EngagementsDbContext>
{
    public EngagementsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<EngagementsDbContext>().UseServiceDatabase("Host=localhost;Database=engagements").Options);
}
