namespace InterimPlatform.Engagements.Clients;

/// <summary>A client organisation and its contacts.</summary>
public sealed class Client
{
    public Guid Id { get; init; }

    public required string Name { get; set; }

    public string? Industry { get; set; }

    public List<ClientContact> Contacts { get; set; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    public uint Version { get; set; }
}

/// <summary>A person at the client. One with authority can sponsor an engagement.</summary>
/// <param name="Role">Their position, for example "CEO".</param>
/// <param name="HasAuthority">Can decide on the engagement (a sponsor must).</param>
public sealed record ClientContact(Guid Id, string Name, string? Role, string? Email, string? Phone, bool HasAuthority);
