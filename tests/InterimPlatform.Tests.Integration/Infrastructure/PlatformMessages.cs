using System.Text;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using InterimPlatform.AppHost;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Hosting.NativeServers;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace InterimPlatform.Tests.Integration.Infrastructure;

/// <summary>Messages put on the shared platform's broker as a failed consumer or a partner would leave them.</summary>
public static class PlatformMessages
{
    public const string RegisteredQueue = "matching-candidate-registered";

    private static async Task<IConnection> ConnectAsync(AspirePlatform platform, string user, string password, CancellationToken cancellationToken)
    {
        var rabbit = platform.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<RabbitMQNodeResource>().Single();
        return await new ConnectionFactory { HostName = "127.0.0.1", Port = rabbit.Ports.Amqp, UserName = user, Password = password }.CreateConnectionAsync(cancellationToken);
    }

    /// <summary>A CandidateRegistered in Matching's error queue, as MassTransit leaves one after its last retry.</summary>
    public static async Task<string> ParkCandidateRegisteredAsync(AspirePlatform platform, Guid candidateId, string reason, CancellationToken cancellationToken)
    {
        var messageId = Guid.NewGuid().ToString();
        var registered = new CandidateRegistered(
            candidateId,
            new CandidateProfile("Tove Replay", "NO", "Oslo", true, true, false, [new LanguageSkill("no", "native")], ["executive"], ["finance"], ["energy"], ["ifrs"], ["crisis"], [], 1500m, "EUR"),
            new CandidateAvailability(new DateOnly(2026, 12, 1), null, 14, 5),
            new CandidateVetting("sourced", null),
            DateTimeOffset.UtcNow);
        var envelope = new
        {
            messageId,
            messageType = new[] { "urn:message:InterimPlatform.Contracts.Candidates.V1:CandidateRegistered" },
            message = registered,
            sentTime = DateTimeOffset.UtcNow,
            headers = new Dictionary<string, object>(),
        };
        await using var connection = await ConnectAsync(platform, PlatformModel.MessagingAdministrator, platform.Secret("messaging-password"), cancellationToken);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        await channel.QueueDeclareAsync(RegisteredQueue + "_error", durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        var properties = new BasicProperties
        {
            MessageId = messageId,
            ContentType = "application/vnd.masstransit+json",
            Persistent = true,
            Headers = new Dictionary<string, object?>
            {
                ["MT-Reason"] = "fault",
                ["MT-Fault-ExceptionType"] = "Npgsql.NpgsqlException",
                ["MT-Fault-Message"] = reason,
                ["MT-Fault-Timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
                ["MT-Fault-RetryCount"] = 4,
            },
        };
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(envelope, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        await channel.BasicPublishAsync("", RegisteredQueue + "_error", mandatory: true, properties, body, cancellationToken);
        return messageId;
    }

    /// <summary>A partner's message the intake must reject: no candidate in it.</summary>
    public static async Task<string> PushInvalidPartnerMessageAsync(AspirePlatform platform, string partner, CancellationToken cancellationToken)
    {
        var messageId = Guid.NewGuid().ToString();
        await using var connection = await ConnectAsync(platform, partner, platform.PartnerPassword(partner), cancellationToken);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        var properties = new BasicProperties { MessageId = messageId, UserId = partner, ContentType = "application/json", Persistent = true };
        var body = Encoding.UTF8.GetBytes($$"""{"schemaVersion":"1.0","messageId":"{{messageId}}","sentAt":"{{DateTimeOffset.UtcNow:O}}"}""");
        await channel.BasicPublishAsync("partner-intake", partner, mandatory: false, properties, body, cancellationToken);
        return messageId;
    }
}
