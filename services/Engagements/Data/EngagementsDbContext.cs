using InterimPlatform.Engagements.Clients;
using InterimPlatform.Engagements.Desk;
using InterimPlatform.Engagements.Privacy;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Idempotency;
using InterimPlatform.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace InterimPlatform.Engagements.Data;

/// <summary>The engagements database: clients, engagements, and this service's outbox and inbox.</summary>
public sealed class EngagementsDbContext(DbContextOptions<EngagementsDbContext> options) : DbContext(options)
{
    public DbSet<Engagement> Engagements => Set<Engagement>();

    public DbSet<Client> Clients => Set<Client>();

    public DbSet<ErasedCandidate> ErasedCandidates => Set<ErasedCandidate>();

    /// <summary>Queues an integration event about <paramref name="aggregateId"/>, committed with the next SaveChanges.</summary>
    public void Publish<T>(T @event, Guid aggregateId, DateTimeOffset now) where T : class =>
        Set<OutboxMessage>().Add(OutboxMessage.Create(@event, aggregateId.ToString(), now));

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Client>(client =>
        {
            client.ToTable("clients");
            client.HasKey(c => c.Id);
            client.Property(c => c.Id).ValueGeneratedNever();
            client.Property(c => c.Name).HasMaxLength(200);
            client.Property(c => c.Industry).HasMaxLength(100);
            client.Property(c => c.Contacts).AsJson();
            client.Property(c => c.Version).IsRowVersion();
            client.HasIndex(c => c.Name);
        });

        modelBuilder.Entity<Engagement>(engagement =>
        {
            engagement.ToTable("engagements");
            engagement.HasKey(e => e.Id);
            engagement.Property(e => e.Title).HasMaxLength(Engagement.MaxTitleLength);
            engagement.Property(e => e.State).HasMaxLength(40);
            engagement.Property(e => e.EngagementType).HasMaxLength(40);
            engagement.Property(e => e.Situation).HasMaxLength(4000);
            engagement.Property(e => e.ExitPlan).HasMaxLength(4000);
            engagement.Property(e => e.DiagnosticSummary).HasMaxLength(4000);
            engagement.Property(e => e.Outcome).HasMaxLength(40);
            engagement.Property(e => e.Brief).AsJson();
            engagement.Property(e => e.History).AsJson();
            engagement.Property(e => e.Shortlist).AsJson();
            engagement.Property(e => e.Proposals).AsJson();
            engagement.Property(e => e.Placements).AsJson();
            engagement.Property(e => e.ShadowManager).AsJson();
            engagement.Property(e => e.Reviews).AsJson();
            engagement.Property(e => e.Version).IsRowVersion();
            engagement.HasOne<Client>().WithMany().HasForeignKey(e => e.ClientId).OnDelete(DeleteBehavior.Restrict);
            engagement.HasIndex(e => new { e.State, e.CreatedAt });
            engagement.HasIndex(e => e.PendingMatchRequestId);
            // Erasure finds every engagement that mentions a person.
            engagement.HasIndex(e => e.CandidateIds).HasMethod("gin");
        });
        modelBuilder.Entity<ErasedCandidate>(erased =>
        {
            erased.ToTable("erased_candidates");
            erased.HasKey(e => e.CandidateId);
            erased.Property(e => e.CandidateId).ValueGeneratedNever();
        });
        modelBuilder.AddOutboxAndInbox();
        modelBuilder.AddIdempotentRequests();
    }
}

/// <summary>Lets <c>dotnet ef</c> build the model without running the service.</summary>
internal sealed class EngagementsDbContextFactory : IDesignTimeDbContextFactory<EngagementsDbContext>
{
    public EngagementsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<EngagementsDbContext>().UseServiceDatabase("Host=localhost;Database=engagements").Options);
}
