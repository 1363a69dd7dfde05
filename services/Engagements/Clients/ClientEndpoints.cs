using InterimPlatform.Engagements.Data;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Idempotency;
using InterimPlatform.Messaging.Outbox;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Engagements.Clients;

/// <summary>A new client organisation.</summary>
public sealed record ClientRequest(string? Name, string? Industry);

/// <summary>A new contact at a client.</summary>
/// <param name="HasAuthority">Can decide on an engagement: only such a contact can be its sponsor.</param>
public sealed record ContactRequest(string? Name, string? Role, string? Email, string? Phone, bool HasAuthority);

/// <summary>A client as the API shows it.</summary>
public sealed record ClientView(Guid Id, string Name, string? Industry, IReadOnlyList<ClientContact> Contacts, DateTimeOffset CreatedAt)
{
    public static ClientView From(Client c) => new(c.Id, c.Name, c.Industry, c.Contacts, c.CreatedAt);
}

public static class ClientEndpoints
{
    public static IEndpointRouteBuilder MapClientEndpoints(this IEndpointRouteBuilder app)
    {
        var clients = app.MapGroup("/api/engagements/clients").WithTags("Clients");
        clients.MapPost("/", CreateAsync).WithIdempotency().WithName("CreateClient").WithSummary("Register a client organisation");
        clients.MapGet("/", ListAsync).WithName("ListClients").WithSummary("Clients by name");
        clients.MapGet("/{id:guid}", GetAsync).WithName("GetClient").WithSummary("A client with its contacts");
        clients.MapPost("/{id:guid}/contacts", AddContactAsync).WithIdempotency().WithName("AddClientContact")
            .WithSummary("Add a contact to a client")
            .WithDescription("A contact with authority can be named sponsor of the client's engagements.");
        return app;
    }

    internal static async Task<Results<Created<ClientView>, ValidationProblem>> CreateAsync(ClientRequest request, EngagementsDbContext db, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 200)
        {
            errors["name"] = ["A name of 1 to 200 characters is required."];
        }

        if (request.Industry is { Length: > 100 })
        {
            errors["industry"] = ["At most 100 characters."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = timeProvider.GetUtcNowForStorage();
        var client = new Client { Id = SequentialGuid.Next(now), Name = request.Name!.Trim(), Industry = string.IsNullOrWhiteSpace(request.Industry) ? null : request.Industry.Trim().ToLowerInvariant(), CreatedAt = now };
        db.Clients.Add(client);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/engagements/clients/{client.Id}", ClientView.From(client));
    }

    internal static async Task<Ok<List<ClientView>>> ListAsync(EngagementsDbContext db, CancellationToken cancellationToken, string? name = null) =>
        TypedResults.Ok((await db.Clients.AsNoTracking()
            .Where(c => name == null || EF.Functions.ILike(c.Name, "%" + name + "%"))
            .OrderBy(c => c.Name).Take(200).ToListAsync(cancellationToken)).Select(ClientView.From).ToList());

    internal static async Task<Results<Ok<ClientView>, NotFound>> GetAsync(Guid id, EngagementsDbContext db, CancellationToken cancellationToken) =>
        await db.Clients.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken) is { } client ? TypedResults.Ok(ClientView.From(client)) : TypedResults.NotFound();

    internal static async Task<Results<Created<ClientContact>, NotFound, ValidationProblem, ProblemHttpResult>> AddContactAsync(
        Guid id, ContactRequest request, EngagementsDbContext db, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 200)
        {
            errors["name"] = ["A name of 1 to 200 characters is required."];
        }

        if (request.Email is { } email && (email.Length > 254 || !email.Contains('@', StringComparison.Ordinal)))
        {
            errors["email"] = ["An email address."];
        }

        if (request.Role is { Length: > 100 } || request.Phone is { Length: > 40 })
        {
            errors["role/phone"] = ["Role at most 100 characters, phone at most 40."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await db.Clients.FirstOrDefaultAsync(c => c.Id == id, cancellationToken) is not { } client)
        {
            return TypedResults.NotFound();
        }

        var contact = new ClientContact(SequentialGuid.Next(timeProvider.GetUtcNow()), request.Name!.Trim(), request.Role?.Trim(), request.Email?.Trim(), request.Phone?.Trim(), request.HasAuthority);
        client.Contacts = [.. client.Contacts, contact];
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Changed meanwhile", detail: $"Client {id} was changed by another request at the same time; retry.");
        }

        return TypedResults.Created($"/api/engagements/clients/{id}", contact);
    }
}
