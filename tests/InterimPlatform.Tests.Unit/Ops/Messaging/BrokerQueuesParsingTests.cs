using System.Text.Json;
using InterimPlatform.Ops.Messaging;

namespace InterimPlatform.Tests.Unit.Ops.Messaging;

public sealed class BrokerQueuesParsingTests
{
    [Fact]
    public void A_masstransit_fault_is_described_by_its_fault_headers()
    {
        var message = Parse("""
            {"payload":"{\"x\":1}","payload_bytes":7,"payload_encoding":"string","redelivered":true,
             "properties":{"message_id":"m-1","type":"ignored","headers":{
               "MT-Fault-ExceptionType":"System.InvalidOperationException","MT-Fault-Message":"boom",
               "MT-Fault-MessageType":"urn:message:InterimPlatform.Contracts.Candidates.V1:CandidateRegistered",
               "MT-Fault-Timestamp":"2026-11-23T10:00:00Z","MT-Fault-RetryCount":5}}}
            """);

        Assert.Equal("m-1", message.MessageId);
        Assert.Equal("System.InvalidOperationException", message.ExceptionType);
        Assert.Equal("boom", message.Reason);
        Assert.Equal("urn:message:InterimPlatform.Contracts.Candidates.V1:CandidateRegistered", message.MessageType);
        Assert.Contains(new KeyValuePair<string, string>("MT-Fault-RetryCount", "5"), message.Headers);
        Assert.Equal("{\"x\":1}", message.Body);
    }

    [Fact]
    public void A_partner_rejection_is_described_by_its_reasons_and_empty_properties_are_tolerated()
    {
        var rejected = Parse("""{"payload":"not json","payload_bytes":8,"payload_encoding":"string","redelivered":false,"properties":{"headers":{"x-rejection-reasons":"candidate.fullName: A name is required."}}}""");
        var bare = Parse("""{"payload":"AAEC","payload_bytes":3,"payload_encoding":"base64","redelivered":false,"properties":[]}""");

        Assert.Equal("candidate.fullName: A name is required.", rejected.Reason);
        Assert.Null(bare.MessageId);
        Assert.Empty(bare.Headers);
        Assert.StartsWith("(binary, 3 bytes)", bare.Body);
    }

    [Theory]
    [InlineData("matching-candidate-registered_error", true, "matching-candidate-registered")]
    [InlineData("candidates-partner-intake_error", true, "candidates-partner-intake")]
    [InlineData("matching-candidate-registered", false, null)]
    [InlineData("_error", false, null)]
    public void Error_queues_name_their_source(string name, bool isError, string? source)
    {
        Assert.Equal(isError, ErrorQueueNames.IsErrorQueue(name));
        Assert.Equal(source, ErrorQueueNames.SourceOf(name));
    }

    private static PeekedMessage Parse(string json) =>
        BrokerQueues.Describe(JsonSerializer.Deserialize<BrokerQueues.ManagementMessage>(json)!);
}
