using InterimPlatform.Matching;
using InterimPlatform.Matching.Data;
using InterimPlatform.Matching.Pool;
using InterimPlatform.Matching.Ranking;
using InterimPlatform.Matching.Shortlists;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Idempotency;
using InterimPlatform.Messaging.Operations;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayTrust();
builder.AddServiceDbContext<MatchingDbContext>("matchingdb");
builder.AddIdempotencyKeys<MatchingDbContext>();

var weightsSection = builder.Configuration.GetSection("Matching:Weights");
var weights = weightsSection.Exists() ? weightsSection.Get<RankingWeights>() ?? RankingWeights.Standard : RankingWeights.Standard;
if (weights.Problems() is { Count: > 0 } problems)
{
    throw new InvalidOperationException("The ranking weights cannot be used: " + string.Join(" ", problems));
}

builder.Services.AddSingleton(new CandidateIndex(weights));
builder.Services.AddSingleton<IndexStatus>();
builder.Services.AddSingleton<IndexRefresh>();
builder.Services.AddSingleton<PoolChangeFollower>();
builder.Services.AddSingleton<PoolEventBatches>();
builder.Services.AddSingleton<Shortlisting>();
// Before the bus (hosted services start in order): no event is consumed before the index holds the pool.
builder.Services.AddHostedService<IndexStartup>();
builder.Services.AddHealthChecks().AddCheck<IndexFollowHealthCheck>("ranking-index", tags: ["ready"]);

builder.AddServiceMessaging<MatchingDbContext>("matching", bus =>
{
    // As many events in hand as one batch applies: they are handed to PoolEventBatches together.
    bus.AddConsumer<CandidateRegisteredConsumer>().Endpoint(e => e.PrefetchCount = e.ConcurrentMessageLimit = PoolEventBatches.MaxBatch);
    bus.AddConsumer<CandidateProfileChangedConsumer>().Endpoint(e => e.PrefetchCount = e.ConcurrentMessageLimit = PoolEventBatches.MaxBatch);
    bus.AddConsumer<CandidateAvailabilityChangedConsumer>().Endpoint(e => e.PrefetchCount = e.ConcurrentMessageLimit = PoolEventBatches.MaxBatch);
    bus.AddConsumer<CandidateVettingChangedConsumer>().Endpoint(e => e.PrefetchCount = e.ConcurrentMessageLimit = PoolEventBatches.MaxBatch);
    // Each batch message holds up to an outbox batch of events: two in hand, so one gathers while one commits.
    bus.AddConsumer<CandidateEventBatchConsumer>().Endpoint(e => e.PrefetchCount = e.ConcurrentMessageLimit = 2);
    bus.AddConsumer<CandidateErasedConsumer>();
    bus.AddConsumer<CandidatePlacedConsumer>();
    bus.AddConsumer<PlacementEndedConsumer>();
    bus.AddConsumer<MatchRequestedConsumer>();
});
builder.Services.AddOpenApi(options => options.AddExamples(ApiExamples.For));

var app = builder.Build();

await app.MigrateDatabaseAsync<MatchingDbContext>();

app.MapDefaultEndpoints();
app.MapOpenApi().AllowAnonymous();
app.MapErrorQueueEndpoints("matching");
app.MapPoolEndpoints();
app.MapShortlistEndpoints();

app.Run();
