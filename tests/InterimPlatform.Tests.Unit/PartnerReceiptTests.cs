using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using InterimPlatform.Candidates.PartnerIntake;
using InterimPlatform.Contracts.Partners;
using InterimPlatform.Tests.Unit.Deployment;

namespace InterimPlatform.Tests.Unit;

/// <summary>The receipts the intake sends are what docs/partners documents: their schemas and examples.</summary>
public sealed class PartnerReceiptTests
{
    private const string ReceiptSchema = "https://interimplatform.example/schemas/partner-receipt/1.0";
    private const string BatchSchema = "https://interimplatform.example/schemas/partner-receipt-batch/1.0";

    private static readonly PartnerReceipt s_accepted = new(Guid.NewGuid(), "globalise", "G-1", ReceiptStatus.Accepted, [], Guid.NewGuid(), DateTimeOffset.UtcNow);

    // What the intake answers for a message too broken to read: no messageId, no person.
    private static readonly PartnerReceipt s_unreadable = new(null, "globalise", null, ReceiptStatus.Rejected, ["Not valid JSON for schema 1.0: …"], null, DateTimeOffset.UtcNow);

    [Fact]
    public void A_single_receipt_is_sent_as_its_schema_says()
    {
        foreach (var receipt in new[] { s_accepted, s_unreadable })
        {
            var message = PartnerReceiptMessages.Single(receipt, "the partner's message id");

            Assert.Equal(ReceiptForm.SingleType, message.Properties.Type);
            Assert.Equal("the partner's message id", message.Properties.CorrelationId);
            Assert.Empty(Schemas.Check(ReceiptSchema, JsonNode.Parse(message.Body)));
        }
    }

    [Fact]
    public void A_receipt_batch_is_sent_as_its_schema_says()
    {
        var message = PartnerReceiptMessages.Batch("globalise", [s_accepted, s_unreadable]);

        Assert.Equal(ReceiptForm.BatchType, message.Properties.Type);
        Assert.Null(message.Properties.CorrelationId);
        var body = JsonNode.Parse(message.Body)!;
        Assert.Empty(Schemas.Check(BatchSchema, body));
        Assert.Equal(PartnerReceiptBatch.Version, (string?)body["schemaVersion"]);
        // The receipts inside are the v1 receipts, byte for byte as a single receipt carries them.
        Assert.Equal(JsonNode.Parse(PartnerReceiptMessages.Single(s_accepted, null).Body)!.ToJsonString(), body["receipts"]![0]!.ToJsonString());
        Assert.Equal(PartnerReceiptBatch.MaxReceipts, (int)Schemas.Find(BatchSchema)["properties"]!["receipts"]!["maxItems"]!);
    }

    [Theory]
    [InlineData("receipt-rejected.json", ReceiptSchema)]
    [InlineData("receipt-batch.json", BatchSchema)]
    public void The_documented_receipt_examples_follow_their_schemas(string example, string schema)
    {
        var document = JsonNode.Parse(File.ReadAllText(Path.Combine(AspireManifest.RepositoryRoot(), "docs", "partners", "examples", example)));

        Assert.Empty(Schemas.Check(schema, document));
    }

    [Fact]
    public void The_schema_check_finds_a_missing_field_a_wrong_type_and_an_undocumented_field()
    {
        var receipt = JsonNode.Parse(PartnerReceiptMessages.Single(s_accepted, null).Body)!.AsObject();
        receipt.Remove("status");
        receipt["reasons"] = "none";
        receipt["undocumented"] = 1;

        Assert.Equal(3, Schemas.Check(ReceiptSchema, receipt).Count);
    }

    [Theory]
    [InlineData("batch.v1", true)]
    [InlineData("BATCH.V1", true)]
    [InlineData("batch.v2", false)]
    [InlineData("single", false)]
    [InlineData("", false)]
    public void A_message_asks_for_a_batched_receipt_with_its_header(string value, bool batched)
    {
        // As the broker hands it over (a long string is bytes), and as a client library may.
        Assert.Equal(batched, PartnerReceiptMessages.AsksForBatch(new Dictionary<string, object?> { [ReceiptForm.Header] = Encoding.UTF8.GetBytes(value) }));
        Assert.Equal(batched, PartnerReceiptMessages.AsksForBatch(new Dictionary<string, object?> { [ReceiptForm.Header] = value }));
    }

    [Fact]
    public void A_message_without_the_header_gets_a_single_receipt()
    {
        Assert.False(PartnerReceiptMessages.AsksForBatch(null));
        Assert.False(PartnerReceiptMessages.AsksForBatch(new Dictionary<string, object?> { ["x-other"] = "batch.v1"u8.ToArray() }));
    }

    /// <summary>
    /// The docs/partners schemas, checked with the JSON Schema keywords they use (no schema library in the repo). Stricter
    /// than a validator in one way: a property the schema does not declare is an error, so every field sent is documented.
    /// A keyword it does not know fails the test rather than being ignored.
    /// </summary>
    private static class Schemas
    {
        private static readonly Dictionary<string, JsonObject> s_byId = Directory
            .GetFiles(Path.Combine(AspireManifest.RepositoryRoot(), "docs", "partners"), "*.schema.json")
            .Select(file => JsonNode.Parse(File.ReadAllText(file))!.AsObject())
            .ToDictionary(schema => (string)schema["$id"]!, StringComparer.Ordinal);

        private static readonly HashSet<string> s_annotations = ["$schema", "$id", "title", "description", "format", "default", "examples"];

        public static JsonObject Find(string id) => s_byId[id];

        public static List<string> Check(string id, JsonNode? instance)
        {
            var errors = new List<string>();
            Check(Find(id), instance, "$", errors);
            return errors;
        }

        private static void Check(JsonObject schema, JsonNode? instance, string path, List<string> errors)
        {
            foreach (var (keyword, value) in schema)
            {
                switch (keyword)
                {
                    case "$ref":
                        Check(Find((string)value!), instance, path, errors);
                        break;
                    case "type":
                        var types = value is JsonArray many ? many.Select(t => (string)t!).ToList() : [(string)value!];
                        if (!types.Contains(TypeOf(instance)))
                        {
                            errors.Add($"{path}: is {TypeOf(instance)}, not {string.Join(" or ", types)}");
                        }

                        break;
                    case "enum":
                        if (!value!.AsArray().Any(allowed => JsonNode.DeepEquals(allowed, instance)))
                        {
                            errors.Add($"{path}: {instance?.ToJsonString()} is not one of {value.ToJsonString()}");
                        }

                        break;
                    case "pattern":
                        if (instance is JsonValue text && text.TryGetValue<string>(out var s) && !Regex.IsMatch(s, (string)value!))
                        {
                            errors.Add($"{path}: '{s}' does not match {value}");
                        }

                        break;
                    case "required":
                        if (instance is JsonObject required)
                        {
                            errors.AddRange(value!.AsArray().Select(p => (string)p!).Where(p => !required.ContainsKey(p)).Select(p => $"{path}.{p}: missing"));
                        }

                        break;
                    case "properties":
                        if (instance is JsonObject properties)
                        {
                            foreach (var (name, property) in properties)
                            {
                                if (value![name] is JsonObject declared)
                                {
                                    Check(declared, property, $"{path}.{name}", errors);
                                }
                                else
                                {
                                    errors.Add($"{path}.{name}: not in the schema");
                                }
                            }
                        }

                        break;
                    case "items":
                        if (instance is JsonArray items)
                        {
                            for (var i = 0; i < items.Count; i++)
                            {
                                Check(value!.AsObject(), items[i], $"{path}[{i}]", errors);
                            }
                        }

                        break;
                    case "minItems" or "maxItems":
                        if (instance is JsonArray counted && (keyword == "minItems" ? counted.Count < (int)value! : counted.Count > (int)value!))
                        {
                            errors.Add($"{path}: {counted.Count} items, {keyword} {value}");
                        }

                        break;
                    default:
                        Assert.True(s_annotations.Contains(keyword), $"The schema check does not know the keyword {keyword}.");
                        break;
                }
            }
        }

        private static string TypeOf(JsonNode? node) => node?.GetValueKind() switch
        {
            null or JsonValueKind.Null => "null",
            JsonValueKind.Object => "object",
            JsonValueKind.Array => "array",
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => "number",
            _ => "undefined",
        };
    }
}
