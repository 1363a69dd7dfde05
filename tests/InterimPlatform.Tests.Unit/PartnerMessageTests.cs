using System.Text;
using InterimPlatform.Candidates.PartnerIntake;

namespace InterimPlatform.Tests.Unit;

/// <summary>The documented examples are what the intake accepts, so docs/partners stays true.</summary>
public sealed class PartnerMessageTests
{
    private static string Example(string name) => File.ReadAllText(Path.Combine(Checkout.Root(), "docs", "partners", "examples", name));

    [Theory]
    [InlineData("upsert.json", "upsert")]
    [InlineData("withdraw.json", "withdraw")]
    public void The_documented_examples_are_valid(string file, string kind)
    {
        var read = PartnerMessageReader.Read(Encoding.UTF8.GetBytes(Example(file)), userId: "globalise");

        Assert.Empty(read.Reasons);
        Assert.Equal(kind, read.Message!.Kind);
        Assert.Equal("G-104233", read.Message.Candidate!.PartnerPersonId);
    }

    [Fact]
    public void Null_entries_in_a_partners_lists_are_rejected_with_their_paths()
    {
        var message = System.Text.Json.Nodes.JsonNode.Parse(Example("upsert.json"))!;
        message["candidate"]!["languages"] = new System.Text.Json.Nodes.JsonArray((System.Text.Json.Nodes.JsonNode?)null);
        message["candidate"]!["trackRecord"] = new System.Text.Json.Nodes.JsonArray((System.Text.Json.Nodes.JsonNode?)null);
        message["candidate"]!["skills"] = new System.Text.Json.Nodes.JsonArray((System.Text.Json.Nodes.JsonNode?)null);
        message["candidate"]!["levels"] = new System.Text.Json.Nodes.JsonArray((System.Text.Json.Nodes.JsonNode?)null);

        var read = PartnerMessageReader.Read(Encoding.UTF8.GetBytes(message.ToJsonString()), userId: "globalise");

        Assert.Contains(read.Reasons, r => r.StartsWith("candidate.languages[0]:", StringComparison.Ordinal));
        Assert.Contains(read.Reasons, r => r.StartsWith("candidate.trackRecord[0]:", StringComparison.Ordinal));
        Assert.Contains(read.Reasons, r => r.StartsWith("candidate.skills:", StringComparison.Ordinal));
        Assert.Contains(read.Reasons, r => r.StartsWith("candidate.levels:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_lawful_basis_recorded_too_far_ahead_is_rejected_under_the_partners_field_name()
    {
        var message = System.Text.Json.Nodes.JsonNode.Parse(Example("upsert.json"))!;
        message["candidate"]!["lawfulBasis"]!["recordedOn"] = "9999-12-31";

        var read = PartnerMessageReader.Read(Encoding.UTF8.GetBytes(message.ToJsonString()), userId: "globalise");

        Assert.Equal(["candidate.lawfulBasis.recordedOn: Not after 2100-01-01."], read.Reasons);
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00+14:00")]
    [InlineData("9999-12-31T23:59:59-14:00")]
    public void A_sent_at_outside_the_calendar_in_UTC_is_rejected_not_thrown(string sentAt)
    {
        var message = System.Text.Json.Nodes.JsonNode.Parse(Example("upsert.json"))!;
        message["sentAt"] = sentAt;

        var read = PartnerMessageReader.Read(Encoding.UTF8.GetBytes(message.ToJsonString()), userId: "globalise");

        Assert.False(read.IsValid);
        Assert.NotEmpty(read.Reasons);
    }

    [Fact]
    public void A_message_from_another_user_than_its_partner_id_is_rejected()
    {
        var read = PartnerMessageReader.Read(Encoding.UTF8.GetBytes(Example("upsert.json")), userId: "nordic-interim");

        Assert.Contains(read.Reasons, r => r.StartsWith("partnerId:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_message_without_user_id_is_rejected_because_its_sender_is_unproven()
    {
        var read = PartnerMessageReader.Read(Encoding.UTF8.GetBytes(Example("upsert.json")), userId: null);

        Assert.Contains(read.Reasons, r => r.Contains("user_id", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"messageId\": 42}")]
    public void Garbage_is_rejected_with_a_reason_not_an_exception(string body)
    {
        var read = PartnerMessageReader.Read(Encoding.UTF8.GetBytes(body), userId: "globalise");

        Assert.False(read.IsValid);
        Assert.NotEmpty(read.Reasons);
    }

    [Fact]
    public void Every_type_error_is_a_reason_naming_its_field_without_dotnet_type_names()
    {
        var message = System.Text.Json.Nodes.JsonNode.Parse(Example("upsert.json"))!;
        message["candidate"]!["skills"] = "erp migration";
        message["candidate"]!["dayRate"] = "a lot";
        message["sentAt"] = "yesterday";

        var read = PartnerMessageReader.Read(Encoding.UTF8.GetBytes(message.ToJsonString()), userId: "globalise");

        Assert.False(read.IsValid);
        Assert.Contains("candidate.skills: Must be a list of text.", read.Reasons);
        Assert.Contains(read.Reasons, r => r.StartsWith("candidate.dayRate:", StringComparison.Ordinal));
        Assert.Contains(read.Reasons, r => r.StartsWith("sentAt: Must be a date and time", StringComparison.Ordinal));
        Assert.DoesNotContain(read.Reasons, r => r.Contains("System.", StringComparison.Ordinal) || r.Contains("`1", StringComparison.Ordinal));
    }

    [Fact]
    public void A_NUL_character_is_a_reason_naming_its_field()
    {
        var message = System.Text.Json.Nodes.JsonNode.Parse(Example("upsert.json"))!;
        message["candidate"]!["fullName"] = "Astrid\u0000Berg";

        var read = PartnerMessageReader.Read(Encoding.UTF8.GetBytes(message.ToJsonString()), userId: "globalise");

        Assert.Contains($"candidate.fullName: {Microsoft.Extensions.Hosting.JsonFieldErrors.NulMessage}", read.Reasons);
    }
}
