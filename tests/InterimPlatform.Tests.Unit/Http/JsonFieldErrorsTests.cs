using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using InterimPlatform.Candidates.Profiles;
using Microsoft.Extensions.Hosting;

namespace InterimPlatform.Tests.Unit.Http;

/// <summary>Every mistake of a JSON body, by the path the services' validation errors use, in the caller's words.</summary>
public sealed class JsonFieldErrorsTests
{
    public enum Seniority { Junior, SeniorManagement, Executive }

    public sealed record Period(DateOnly From, DateOnly? To);

    public sealed record Experience(string? Role, int Years, Period? Period);

    public sealed record Profile(string? Name, List<string>? Skills, decimal Rate, Seniority Level, DateOnly Since, List<Experience>? Experience, Dictionary<string, int>? Scores, bool Remote = false);

    // As ASP.NET Core reads bodies: web defaults, enums as camelCase text.
    private static readonly JsonSerializerOptions s_options = new(JsonSerializerOptions.Web) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } };

    private static JsonFieldErrors Find<T>(string json, JsonSerializerOptions? options = null) =>
        JsonFieldErrors.Find(Encoding.UTF8.GetBytes(json), typeof(T), options ?? s_options);

    [Fact]
    public void Three_mistakes_are_three_errors_at_their_paths()
    {
        const string body = """{ "name": "Astrid", "skills": "erp", "rate": "high", "level": "executive", "since": "yesterday" }""";
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Profile>(body, s_options)); // the reader stops at the first

        var found = Find<Profile>(body);

        Assert.Null(found.Malformed);
        Assert.Equal(["rate", "since", "skills"], found.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["Must be a list of text."], found.Errors["skills"]);
        Assert.Equal(["Must be a number."], found.Errors["rate"]);
        Assert.Equal(["Must be a date like 2027-02-08."], found.Errors["since"]);
    }

    [Theory]
    [InlineData("""{ "name": "lone high \ud800 surrogate", "since": "2026-01-01", "rate": 1, "level": "junior" }""", "name")]
    [InlineData("""{ "skills": ["erp", "reversed pair \udc00\ud800"], "since": "2026-01-01", "rate": 1, "level": "junior" }""", "skills[1]")]
    [InlineData("""{ "name": "nul\u0000 and \udc00", "since": "2026-01-01", "rate": 1, "level": "junior" }""", "name")]
    public void A_lone_surrogate_is_an_error_at_its_field_not_a_failure_of_the_walk(string body, string path)
    {
        var found = Find<Profile>(body);

        Assert.Null(found.Malformed);
        Assert.Equal([JsonFieldErrors.InvalidTextMessage], found.Errors[path]);
    }

    [Fact]
    public void Nested_objects_and_lists_are_walked_to_the_bad_field()
    {
        var found = Find<Profile>("""
            { "level": "junior", "since": "2026-01-01", "rate": 1,
              "experience": [ { "role": "CFO", "years": 3, "period": { "from": "2020-01-01" } },
                              { "role": "COO", "years": "four", "period": { "from": "last spring", "to": 7 } },
                              "a string" ] }
            """);

        Assert.Equal(["experience[1].period.from", "experience[1].period.to", "experience[1].years", "experience[2]"], found.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["Must be a whole number."], found.Errors["experience[1].years"]);
        Assert.Equal(["Must be an object."], found.Errors["experience[2]"]);
    }

    [Fact]
    public void An_enum_lists_the_values_the_caller_may_send()
    {
        var found = Find<Profile>("""{ "level": "boss", "since": "2026-01-01", "rate": 1 }""");

        Assert.Equal(["Must be one of: junior, seniorManagement, executive."], found.Errors["level"]);
    }

    [Fact]
    public void Dates_numbers_and_booleans_say_what_they_look_like()
    {
        var found = Find<Profile>("""{ "level": "junior", "since": "2026-13-40", "rate": true, "remote": "yes", "scores": { "progress": "good" } }""");

        Assert.Equal(["Must be a date like 2027-02-08."], found.Errors["since"]);
        Assert.Equal(["Must be a number."], found.Errors["rate"]);
        Assert.Equal(["Must be true or false."], found.Errors["remote"]);
        Assert.Equal(["Must be a whole number."], found.Errors["scores.progress"]);
    }

    [Fact]
    public void Numbers_as_text_are_accepted_where_the_options_accept_them()
    {
        // Web defaults read "12" as a number: the walk agrees with the reader, it never adds rules of its own.
        Assert.True(Find<Profile>("""{ "level": "junior", "since": "2026-01-01", "rate": "12.5" }""").IsEmpty);
    }

    [Fact]
    public void Null_is_refused_only_where_the_type_cannot_hold_it()
    {
        var found = Find<Profile>("""{ "name": null, "level": "junior", "since": null, "rate": null, "experience": [ { "years": 1, "period": { "from": "2020-01-01", "to": null } }, null ] }""");

        Assert.Equal(["rate", "since"], found.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["Must be a number, not null."], found.Errors["rate"]);
        Assert.Equal(["Must be a date like 2027-02-08, not null."], found.Errors["since"]);
    }

    [Fact]
    public void A_NUL_character_is_found_in_nested_strings_lists_and_keys()
    {
        var found = Find<Profile>("""{ "name": "A\u0000", "level": "junior", "since": "2026-01-01", "rate": 1, "skills": ["ok", "i\u0000frs"], "experience": [ { "role": "C\u0000FO", "years": 1 } ], "scores": { "pro\u0000gress": 1 } }""");

        Assert.Equal(["experience[0].role", "name", "scores['pro\\u0000gress']", "skills[1]"], found.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.All(found.Errors.Values, messages => Assert.Equal([JsonFieldErrors.NulMessage], messages));
    }

    [Fact]
    public void Malformed_json_is_one_error_with_line_and_position()
    {
        var found = Find<Profile>("{\n  \"name\": \"Astrid\",\n  \"rate\" 12\n}");

        Assert.Empty(found.Errors);
        Assert.NotNull(found.Malformed);
        Assert.StartsWith("The body is not valid JSON (line 3, position 10)", found.Malformed, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", found.Malformed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_document_of_the_wrong_kind_is_an_error_at_the_root()
    {
        var found = Find<Profile>("""[1, 2]""");

        Assert.Equal(["Must be an object."], found.Errors[JsonFieldErrors.DocumentPath]);
    }

    [Fact]
    public void The_candidate_body_reports_every_type_error_without_dotnet_type_names()
    {
        var found = Find<CandidateInput>("""{ "fullName": "Astrid", "skills": "erp", "dayRate": { "amount": "lots" }, "availability": { "availableFrom": "soon", "noticeDays": 1.5 }, "trackRecord": [ { "months": 3, "endedOn": "2026-02-30" } ] }""", JsonSerializerOptions.Web);

        Assert.Equal(["availability.availableFrom", "availability.noticeDays", "dayRate.amount", "skills", "trackRecord[0].endedOn"], found.Errors.Keys.Order(StringComparer.Ordinal));
        var text = found.ToString();
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("`1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Required_properties_that_are_missing_are_named()
    {
        var found = Find<Required>("""{ }""");

        Assert.Equal(["Is required."], found.Errors["code"]);
    }

    [Theory]
    [InlineData("""{ "name": "A\u0000" }""", true)]
    [InlineData("""{ "na\u0000me": "A" }""", true)]
    [InlineData("""{ "name": "A\\u0000 is how JSON writes NUL" }""", false)]
    [InlineData("""{ "name": "A" }""", false)]
    [InlineData("""{ "name": "\u0000""", false)]
    public void A_NUL_is_seen_only_where_a_string_holds_one(string json, bool expected) =>
        Assert.Equal(expected, JsonFieldErrors.ContainsNul(Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData("$.languages[2].code", "languages[2].code")]
    [InlineData("$", "$")]
    [InlineData(null, "$")]
    [InlineData("$['odd key']", "['odd key']")]
    public void A_reader_path_becomes_the_services_path(string? readerPath, string expected) =>
        Assert.Equal(expected, JsonFieldErrors.PathOf(readerPath));

    public sealed class Required
    {
        public required string Code { get; init; }
    }
}
