using InterimPlatform.Gateway.Access;
using InterimPlatform.Gateway.Audit;
using InterimPlatform.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace InterimPlatform.Gateway.Data;

/// <summary>The gateway database: API keys (hashed) and the audit log.</summary>
public sealed class GatewayDbContext(DbContextOptions<GatewayDbContext> options) : DbContext(options)
{
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ApiKey>(key =>
        {
            key.ToTable("api_keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.Id).HasMaxLength(64);
            key.Property(k => k.Name).HasMaxLength(100);
            key.Property(k => k.Role).HasMaxLength(40);
            key.Property(k => k.Hash).HasMaxLength(64);
            key.Property(k => k.CreatedBy).HasMaxLength(200);
        });
        modelBuilder.Entity<AuditEntry>(entry =>
        {
            entry.ToTable("audit_entries");
            entry.HasKey(e => e.Id);
            entry.Property(e => e.Actor).HasMaxLength(200);
            entry.Property(e => e.Role).HasMaxLength(100);
            entry.Property(e => e.Method).HasMaxLength(10);
            entry.Property(e => e.Path).HasMaxLength(2000);
            entry.Property(e => e.Action).HasMaxLength(20);
            entry.Property(e => e.CorrelationId).HasMaxLength(64);
            entry.HasIndex(e => e.At);
            entry.HasIndex(e => new { e.Actor, e.At });
        });
    }
}

/// <summary>Lets <c>dotnet ef</c> build the model without running the gateway.</summary>
internal sealed class GatewayDbContextFactory : IDesignTimeDbContextFactory<GatewayDbContext>
{
    public GatewayDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<GatewayDbContext>().UseServiceDatabase("Host=localhost;Database=gateway").Options);
}
