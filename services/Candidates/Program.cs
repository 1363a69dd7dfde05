using InterimPlatform.Candidates.Data;
using InterimPlatform.Candidates.PartnerIntake;
using InterimPlatform.Candidates.Placements;
using InterimPlatform.Candidates.Privacy;
using InterimPlatform.Candidates.Profiles;
using InterimPlatform.Candidates.Search;
using InterimPlatform.Candidates.Vetting;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Idempotency;
using InterimPlatform.Messaging.Operations;
using InterimPlatform.Messaging.Outbox;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayTrust();
builder.AddServiceDbContext<CandidatesDbContext>("candidatesdb");
builder.AddIdempotencyKeys<CandidatesDbContext>();
builder.AddServiceMessaging<CandidatesDbContext>("candidates", bus =>
{
    bus.AddConsumer<CandidatePlacedConsumer>();
    bus.AddConsumer<PlacementEndedConsumer>();
    bus.AddConsumer<AssignmentCompletedConsumer>();
});
builder.Services.AddSingleton<IOutboxBatchForm, CandidateEventBatching>();
builder.AddPartnerIntake();
builder.Services.AddOpenApi(options => options.AddExamples(ApiExamples.For));

var app = builder.Build();

await app.MigrateDatabaseAsync<CandidatesDbContext>();

app.MapDefaultEndpoints();
app.MapOpenApi().AllowAnonymous();
app.MapErrorQueueEndpoints("candidates");
app.MapProfileEndpoints();
app.MapCandidateSearch();
app.MapVettingEndpoints();
app.MapPlacementEndpoints();
app.MapPrivacyEndpoints();
app.MapPartnerIntakeTallies();

app.Run();
