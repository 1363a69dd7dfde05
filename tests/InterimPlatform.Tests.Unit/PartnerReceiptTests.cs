using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using InterimPlatform.Candidates.PartnerIntake;
using InterimPlatform.Contracts.Partners;
using InterimPlatform.Tests.Unit.Deployment;
using Json.Schema;

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
            Schemas.AssertValid(ReceiptSchema, JsonNode.Parse(message.Body));
        }
    }

    [Fact]
    public void A_receipt_batch_is_sent_as_its_schema_says()
    {
        var message = PartnerReceiptMessages.Batch("globalise", [s_accepted, s_unreadable]);

        Assert.Equal(ReceiptForm.BatchType, message.Properties.Type);
        Assert.Null(message.Properties.CorrelationId);
        var body = JsonNode.Parse(message.Body)!;
        Schemas.AssertValid(BatchSchema, body);
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
        var document = JsonNode.Parse(File.ReadAllText(Path.Combine(Checkout.Root(), "docs", "partners", "examples", example)));

        Schemas.AssertValid(schema, document);
    }

    [Theory]
    [InlineData("missing", "", "#/required")]
    [InlineData("wrong type", "/reasons", "#/properties/reasons/type")]
    [InlineData("undocumented", "/undocumented", "#/additionalProperties")]
    public void The_schema_check_finds_a_missing_field_a_wrong_type_and_an_undocumented_field(string flaw, string location, string schemaPath)
    {
        var receipt = JsonNode.Parse(PartnerReceiptMessages.Single(s_accepted, null).Body)!.AsObject();
        switch (flaw)
        {
            case "missing": receipt.Remove("status"); break;
            case "wrong type": receipt["reasons"] = "none"; break;
            case "undocumented": receipt["undocumented"] = 1; break;
        }

        var errors = Schemas.Check(ReceiptSchema, receipt);

        Assert.True(errors.Count == 1 && errors[0].StartsWith($"#{location}: ", StringComparison.Ordinal) && errors[0].EndsWith($"(schema: {schemaPath})", StringComparison.Ordinal), string.Join("\n", errors));
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
    /// The docs/partners receipt schemas, evaluated with JsonSchema.Net (draft 2020-12). Stricter than the schemas in one way:
    /// they let later versions add properties (so partners ignore those they do not know), but every field this version
    /// sends must be documented, so each object schema with properties is evaluated here with additionalProperties: false.
    /// </summary>
    private static class Schemas
    {
        private static readonly Dictionary<string, JsonObject> s_byId = Directory
            .GetFiles(Path.Combine(Checkout.Root(), "docs", "partners"), "partner-receipt*.schema.json")
            .Select(file => JsonNode.Parse(File.ReadAllText(file))!.AsObject())
            .ToDictionary(schema => (string)schema["$id"]!, StringComparer.Ordinal);

        // Their own registry, where the batch schema's $ref finds the (strict) receipt schema by its $id.
        private static readonly BuildOptions s_build = new() { SchemaRegistry = new() };

        private static readonly Dictionary<string, JsonSchema> s_strict = s_byId.ToDictionary(
            pair => pair.Key,
            pair => JsonSchema.Build(JsonSerializer.SerializeToElement(Strict(pair.Value.DeepClone())), s_build),
            StringComparer.Ordinal);

        /// <summary>The schema as docs/partners has it.</summary>
        public static JsonObject Find(string id) => s_byId[id];

        /// <summary>What the schema finds wrong with the instance, one line per error: where in the instance, which keyword where in the schema, why.</summary>
        public static List<string> Check(string id, JsonNode? instance)
        {
            var results = s_strict[id].Evaluate(JsonSerializer.SerializeToElement(instance), new EvaluationOptions { OutputFormat = OutputFormat.List });
            List<string> errors = [.. (results.Details ?? []).Prepend(results).SelectMany(Lines)];
            return results.IsValid || errors.Count > 0 ? errors : ["invalid, with no error listed"];
        }

        // "#/reasons: Value is "string" but should be "array" (schema: #/properties/reasons/type)"; a false schema names no keyword.
        private static IEnumerable<string> Lines(EvaluationResults result) => (result.Errors ?? new Dictionary<string, string>())
            .Select(error => $"#{result.InstanceLocation}: {error.Value} (schema: #{result.EvaluationPath}{(error.Key is "" ? "" : "/" + error.Key)})");

        public static void AssertValid(string id, JsonNode? instance)
        {
            var errors = Check(id, instance);
            Assert.True(errors.Count == 0, $"Not valid against {id}:\n{string.Join("\n", errors)}");
        }

        private static JsonNode Strict(JsonNode schema)
        {
            if (schema is JsonObject node)
            {
                if (node["properties"] is JsonObject properties)
                {
                    node.TryAdd("additionalProperties", false);
                    foreach (var (_, property) in properties)
                    {
                        Strict(property!);
                    }
                }

                if (node["items"] is JsonObject items)
                {
                    Strict(items);
                }
            }

            return schema;
        }
    }
}
