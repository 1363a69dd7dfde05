using InterimPlatform.Messaging.Inbox;
using InterimPlatform.Messaging.Outbox;
using Npgsql;
using NpgsqlTypes;

namespace InterimPlatform.Messaging;

/// <summary>
/// Binary COPY of many outbox and inbox rows in one round trip, inside the caller's transaction: for
/// consumers that apply messages in batches, where an ORM's row-by-row change tracking costs more than the
/// database work itself.
/// </summary>
public static class BulkWrites
{
    public static async Task CopyOutboxAsync(NpgsqlConnection connection, IReadOnlyCollection<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        // "sequence" is an identity column: COPY assigns it in row order, which keeps the events' order.
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY outbox_messages (id, aggregate_id, message_type, payload, trace_parent, trace_state, created_at, sent_at, attempts, last_error) FROM STDIN (FORMAT BINARY)",
            cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(row.Id, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(row.AggregateId, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(row.MessageType, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(row.Payload, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(writer, row.TraceParent, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(writer, row.TraceState, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(row.CreatedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            await writer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(0, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
            await writer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
        }

        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task CopyInboxAsync(NpgsqlConnection connection, IReadOnlyCollection<InboxMessage> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY inbox_messages (message_id, consumer, received_at) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(row.MessageId, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(row.Consumer, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(row.ReceivedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
        }

        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            await writer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await writer.WriteAsync(value, type, cancellationToken).ConfigureAwait(false);
        }
    }
}
