using InterimPlatform.Matching.Data;
using InterimPlatform.Matching.Pool;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Operations;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDbContext<MatchingDbContext>("matchingdb");
builder.AddServiceMessaging<MatchingDbContext>("matching", bus =>
{
    bus.AddConsumer<CandidateRegisteredConsumer>();
    bus.AddConsumer<CandidateProfileChangedConsumer>();
    bus.AddConsumer<CandidateAvailabilityChangedConsumer>();
    bus.AddConsumer<CandidateVettingChangedConsumer>();
    bus.AddConsumer<CandidateErasedConsumer>();
});
builder.Services.AddOpenApi();

var app = builder.Build();

await app.MigrateDatabaseAsync<MatchingDbContext>();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapErrorQueueEndpoints("matching");
app.MapPoolEndpoints();

app.Run();
