using System.ComponentModel;
using InterimPlatform.Candidates.Data;
using InterimPlatform.Candidates.Profiles;
using InterimPlatform.Candidates.Vetting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Candidates.Search;

/// <summary>Filters of a pool search. Repeated list filters must all match (skill=erp&amp;skill=sap: both skills).</summary>
public sealed record CandidateSearchQuery(
    [property: Description("Free text over name and summary; words match as prefixes.")] string? Q,
    string[]? Discipline,
    string[]? Level,
    string[]? Skill,
    [property: Description("ISO 639-1 language code.")] string[]? Language,
    string[]? Industry,
    string[]? EngagementType,
    [property: Description("ISO 3166-1 alpha-2.")] string? Country,
    string? VettingStatus,
    [property: Description("Can start (available from + notice) on or before this date.")] DateOnly? AvailableBy,
    decimal? MaxDayRate,
    [property: Description("Currency of maxDayRate (default EUR).")] string? Currency,
    [property: Description("name (default), registered, day-rate, available-from; prefix with - to reverse.")] string? Sort,
    int Page = 1,
    int PageSize = 20);

/// <summary>A search hit: enough to decide whether to open the profile.</summary>
public sealed record CandidateSummary(
    Guid Id,
    string FullName,
    string Country,
    string? City,
    IReadOnlyList<string> Levels,
    IReadOnlyList<string> Disciplines,
    string VettingStatus,
    DateOnly? AvailableFrom,
    int NoticeDays,
    decimal? DayRate,
    string? Currency);

public sealed record CandidateSearchResult(int Total, int Page, int PageSize, IReadOnlyList<CandidateSummary> Items);

public static class CandidateSearch
{
    public const int MaxPageSize = 100;
    private static readonly string[] s_sorts = ["name", "registered", "day-rate", "available-from"];

    public static IEndpointRouteBuilder MapCandidateSearch(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/candidates", SearchAsync)
            .WithTags("Candidates")
            .WithName("SearchCandidates")
            .WithSummary("Search the pool")
            .WithDescription("Filters combine with AND. Sorted and paged; every filter is backed by an index, so it stays fast at 100,000 candidates.");
        return app;
    }

    internal static async Task<Results<Ok<CandidateSearchResult>, ValidationProblem>> SearchAsync(
        [AsParameters] CandidateSearchQuery query, CandidatesDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = Validate(query);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var candidates = Filter(db.Candidates.AsNoTracking(), query, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        var total = await candidates.CountAsync(cancellationToken);
        var items = await Sort(candidates, query.Sort)
            .Skip((query.Page - 1) * query.PageSize)
            .Take(query.PageSize)
            .Select(c => new CandidateSummary(c.Id, c.FullName, c.Country, c.City, c.Levels, c.Disciplines, c.VettingStatus, c.AvailableFrom, c.NoticeDays, c.DayRate, c.Currency))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new CandidateSearchResult(total, query.Page, query.PageSize, items));
    }

    internal static IQueryable<Candidate> Filter(IQueryable<Candidate> candidates, CandidateSearchQuery query, DateOnly today)
    {
        // "values.All(v => column.Contains(v))" becomes "column @> values": the GIN indexes answer it.
        if (Lower(query.Discipline) is { } disciplines)
        {
            candidates = candidates.Where(c => disciplines.All(d => c.Disciplines.Contains(d)));
        }

        if (Lower(query.Level) is { } levels)
        {
            candidates = candidates.Where(c => levels.All(l => c.Levels.Contains(l)));
        }

        if (Lower(query.Skill) is { } skills)
        {
            candidates = candidates.Where(c => skills.All(s => c.Skills.Contains(s)));
        }

        if (Lower(query.Language) is { } languages)
        {
            candidates = candidates.Where(c => languages.All(l => c.LanguageCodes.Contains(l)));
        }

        if (Lower(query.Industry) is { } industries)
        {
            candidates = candidates.Where(c => industries.All(i => c.Industries.Contains(i)));
        }

        if (Lower(query.EngagementType) is { } types)
        {
            candidates = candidates.Where(c => types.All(t => c.EngagementTypes.Contains(t)));
        }

        if (query.Country is { Length: > 0 } country)
        {
            var code = country.Trim().ToUpperInvariant();
            candidates = candidates.Where(c => c.Country == code);
        }

        if (query.VettingStatus is { Length: > 0 } status)
        {
            candidates = candidates.Where(c => c.VettingStatus == status);
        }

        if (query.AvailableBy is { } by)
        {
            candidates = candidates.Where(c => (c.AvailableFrom ?? today).AddDays(c.NoticeDays) <= by && (c.AvailableUntil == null || c.AvailableUntil >= by));
        }

        if (query.MaxDayRate is { } max)
        {
            var currency = query.Currency?.Trim().ToUpperInvariant() ?? "EUR";
            candidates = candidates.Where(c => c.DayRate <= max && c.Currency == currency);
        }

        if (PrefixQuery(query.Q) is { } text)
        {
            candidates = candidates.Where(c => c.SearchVector.Matches(EF.Functions.ToTsQuery("simple", text)));
        }

        return candidates;
    }

    private static IQueryable<Candidate> Sort(IQueryable<Candidate> candidates, string? sort) => (sort ?? "name") switch
    {
        "registered" => candidates.OrderBy(c => c.RegisteredAt).ThenBy(c => c.Id),
        "-registered" => candidates.OrderByDescending(c => c.RegisteredAt).ThenBy(c => c.Id),
        "day-rate" => candidates.OrderBy(c => c.DayRate).ThenBy(c => c.Id),
        "-day-rate" => candidates.OrderByDescending(c => c.DayRate).ThenBy(c => c.Id),
        "available-from" => candidates.OrderBy(c => c.AvailableFrom).ThenBy(c => c.Id),
        "-available-from" => candidates.OrderByDescending(c => c.AvailableFrom).ThenBy(c => c.Id),
        "-name" => candidates.OrderByDescending(c => c.FullName).ThenBy(c => c.Id),
        _ => candidates.OrderBy(c => c.FullName).ThenBy(c => c.Id),
    };

    private static Dictionary<string, string[]> Validate(CandidateSearchQuery query)
    {
        var errors = new Dictionary<string, string[]>();
        if (query.Page < 1 || query.Page > 10_000)
        {
            errors["page"] = ["Between 1 and 10000."];
        }

        if (query.PageSize is < 1 or > MaxPageSize)
        {
            errors["pageSize"] = [$"Between 1 and {MaxPageSize}."];
        }

        if (query.Sort is { } sort && !s_sorts.Contains(sort.TrimStart('-')))
        {
            errors["sort"] = [$"One of: {string.Join(", ", s_sorts)} (prefix - to reverse)."];
        }

        if (query.VettingStatus is { Length: > 0 } status && !VettingStatus.All.Contains(status))
        {
            errors["vettingStatus"] = [$"One of: {string.Join(", ", VettingStatus.All)}."];
        }

        if (query.Q is { Length: > 200 })
        {
            errors["q"] = ["At most 200 characters."];
        }

        return errors;
    }

    private static string[]? Lower(string[]? values) =>
        values is { Length: > 0 } ? [.. values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim().ToLowerInvariant()).Distinct()] : null;

    /// <summary>Words of the free text as a prefix query ("astr ber" → "astr:* &amp; ber:*"); only letters and digits survive.</summary>
    internal static string? PrefixQuery(string? text)
    {
        var words = (text ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => new string([.. w.Where(char.IsLetterOrDigit)]).ToLowerInvariant())
            .Where(w => w.Length > 0)
            .Take(10)
            .ToList();
        return words.Count == 0 ? null : string.Join(" & ", words.Select(w => w + ":*"));
    }
}
