using InterimPlatform.Candidates.Data;
using InterimPlatform.Candidates.Pool;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Operations;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDbContext<CandidatesDbContext>("candidatesdb");
builder.AddServiceMessaging<CandidatesDbContext>("candidates");
builder.Services.AddOpenApi();

var app = builder.Build();

await app.MigrateDatabaseAsync<CandidatesDbContext>();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapErrorQueueEndpoints("candidates");
app.MapCandidateEndpoints();

app.Run();
