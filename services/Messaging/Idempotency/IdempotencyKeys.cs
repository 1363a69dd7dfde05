using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace InterimPlatform.Messaging.Idempotency;

/// <summary>
/// Creating POSTs that are safe to retry with an <c>Idempotency-Key</c> header: the service registers the keys
/// once (<see cref="AddIdempotencyKeys{TDbContext}"/>, <see cref="AddIdempotentRequests"/> in its model) and each
/// creating endpoint opts in with <see cref="WithIdempotency{TBuilder}"/>.
/// </summary>
public static class IdempotencyKeys
{
    /// <summary>
    /// Stores keys in <typeparamref name="TDbContext"/>'s database (its model must call
    /// <see cref="AddIdempotentRequests"/>), purges expired ones, keeps the bodies of keyed POSTs readable for their
    /// fingerprint, and documents the header in the OpenAPI document. Settings: the <c>Idempotency</c> section.
    /// </summary>
    public static IHostApplicationBuilder AddIdempotencyKeys<TDbContext>(this IHostApplicationBuilder builder)
        where TDbContext : DbContext
    {
        builder.Services.Configure<IdempotencyOptions>(builder.Configuration.GetSection("Idempotency"));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IdempotencyFilter, IdempotencyFilter<TDbContext>>();
        builder.Services.AddSingleton<IdempotentRequestPurge<TDbContext>>();
        builder.Services.AddHostedService(services => services.GetRequiredService<IdempotentRequestPurge<TDbContext>>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, KeyedBodyBuffering>());
        builder.Services.ConfigureAll<OpenApiOptions>(options => options.AddOperationTransformer(IdempotencyKeyDocumentation.DescribeAsync));
        return builder;
    }

    /// <summary>
    /// The endpoint (or every endpoint of a group) creates something and accepts an <c>Idempotency-Key</c>: a retry
    /// with the same key and body gets the first answer instead of creating again.
    /// </summary>
    public static TBuilder WithIdempotency<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(IdempotentCreation.Instance);
        builder.AddEndpointFilter((context, next) => context.HttpContext.RequestServices.GetRequiredService<IdempotencyFilter>().InvokeAsync(context, next));
        return builder;
    }

    /// <summary>Adds the <c>idempotent_requests</c> table to a service's own database model.</summary>
    public static ModelBuilder AddIdempotentRequests(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<IdempotentRequest>(request =>
        {
            request.ToTable("idempotent_requests");
            request.HasKey(r => new { r.Caller, r.Route, r.Key });
            request.Property(r => r.Caller).HasColumnName("caller").HasMaxLength(200);
            request.Property(r => r.Route).HasColumnName("route").HasMaxLength(1000);
            request.Property(r => r.Key).HasColumnName("key").HasMaxLength(IdempotencyKeyHeader.MaxLength);
            request.Property(r => r.RequestHash).HasColumnName("request_hash");
            request.Property(r => r.StatusCode).HasColumnName("status_code");
            request.Property(r => r.Location).HasColumnName("location");
            request.Property(r => r.ETag).HasColumnName("etag");
            request.Property(r => r.ContentType).HasColumnName("content_type");
            request.Property(r => r.Body).HasColumnName("body");
            request.Property(r => r.CreatedAt).HasColumnName("created_at");
            request.Property(r => r.ExpiresAt).HasColumnName("expires_at");
            request.HasIndex(r => r.ExpiresAt).HasDatabaseName("ix_idempotent_requests_expires_at");
        });
        return modelBuilder;
    }

    /// <summary>
    /// The request body is read by model binding before the filter runs; buffering it (in memory, or a temporary
    /// file when large) for requests that carry a key lets the filter read it again for the fingerprint.
    /// </summary>
    private sealed class KeyedBodyBuffering : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (HttpMethods.IsPost(context.Request.Method) && context.Request.Headers.ContainsKey(IdempotencyKeyHeader.Name))
                {
                    context.Request.EnableBuffering();
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <summary>Endpoint metadata: this endpoint creates something and honours <c>Idempotency-Key</c>.</summary>
public sealed class IdempotentCreation
{
    public static readonly IdempotentCreation Instance = new();

    private IdempotentCreation()
    {
    }
}
