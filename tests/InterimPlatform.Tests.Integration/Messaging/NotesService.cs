using System.Collections.Concurrent;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Inbox;
using InterimPlatform.Messaging.Outbox;
using InterimPlatform.Tests.Integration.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace InterimPlatform.Tests.Integration.Messaging;

/// <summary>An integration event of the test service.</summary>
public sealed record NoteWritten(Guid NoteId, string Text, int Sequence);

/// <summary>A state change that publishes <see cref="NoteWritten"/>.</summary>
public sealed class Note
{
    public Guid Id { get; set; }

    public string Text { get; set; } = "";
}

/// <summary>What the consumer side did with each note: how many times its effect was applied.</summary>
public sealed class NoteCopy
{
    public Guid NoteId { get; set; }

    public string Text { get; set; } = "";

    public int Applied { get; set; }
}

/// <summary>A minimal service database with the platform's outbox and inbox: the building block under test.</summary>
public sealed class NotesDbContext(DbContextOptions<NotesDbContext> options) : DbContext(options)
{
    public DbSet<Note> Notes => Set<Note>();

    public DbSet<NoteCopy> Copies => Set<NoteCopy>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Note>().HasIndex(n => n.Text).IsUnique();
        modelBuilder.Entity<NoteCopy>().HasKey(c => c.NoteId);
        modelBuilder.AddOutboxAndInbox();
    }

    /// <summary>The note and its event, in one transaction.</summary>
    public void Write(Note note, int sequence, DateTimeOffset now)
    {
        Notes.Add(note);
        Set<OutboxMessage>().Add(OutboxMessage.Create(new NoteWritten(note.Id, note.Text, sequence), note.Id.ToString(), now));
    }
}

/// <summary>Faults the test switches on and off in the consumer.</summary>
public sealed class ConsumerFaults
{
    public int TransientFailuresLeft;

    public ConcurrentDictionary<string, int> Attempts { get; } = new();

    /// <summary>Texts whose messages fail with an ordinary exception ("a bug") until removed ("fixed").</summary>
    public ConcurrentDictionary<string, bool> Poison { get; } = new();

    /// <summary>Texts whose messages are invalid: no retry can help.</summary>
    public ConcurrentDictionary<string, bool> Invalid { get; } = new();
}

public sealed class NoteWrittenConsumer(NotesDbContext db, TimeProvider timeProvider, ConsumerFaults faults)
    : IdempotentConsumer<NoteWritten, NotesDbContext>(db, timeProvider)
{
    protected override async Task HandleAsync(NoteWritten message, ConsumeContext<NoteWritten> context, CancellationToken cancellationToken)
    {
        faults.Attempts.AddOrUpdate(message.Text, 1, (_, n) => n + 1);
        if (faults.Invalid.ContainsKey(message.Text))
        {
            throw new MessageValidationException($"Note text '{message.Text}' is not allowed.");
        }

        if (faults.Poison.ContainsKey(message.Text))
        {
            throw new InvalidOperationException($"Cannot apply note '{message.Text}': the consumer has a bug.");
        }

        if (Interlocked.Decrement(ref faults.TransientFailuresLeft) >= 0)
        {
            throw new PostgresException("could not serialize access due to concurrent update", "ERROR", "ERROR", PostgresErrorCodes.SerializationFailure);
        }

        var copy = await Db.Copies.FindAsync([message.NoteId], cancellationToken);
        if (copy is null)
        {
            Db.Copies.Add(new NoteCopy { NoteId = message.NoteId, Text = message.Text, Applied = 1 });
        }
        else
        {
            copy.Applied++;
        }
    }
}

/// <summary>An instance of the test service: the real building block (outbox, dispatcher, inbox, retries) on real servers.</summary>
public static class NotesService
{
    public static async Task<string> CreateDatabaseAsync(PlatformServers servers)
    {
        var connectionString = await servers.CreateDatabaseAsync("notes");
        await using var db = new NotesDbContext(new DbContextOptionsBuilder<NotesDbContext>().UseServiceDatabase(connectionString).Options);
        await db.Database.EnsureCreatedAsync();
        return connectionString;
    }

    public static IHost Build(string serviceName, string database, string messaging, ConsumerFaults faults, bool dispatch = true, bool consume = true)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:notesdb"] = database,
            ["ConnectionStrings:messaging"] = messaging,
            ["Messaging:DispatchOutbox"] = dispatch.ToString(),
            ["Messaging:DelayedRetries"] = "2",
            ["Messaging:MinRetryDelay"] = "00:00:00.050",
            ["Messaging:MaxRetryDelay"] = "00:00:00.200",
        });
        builder.AddServiceDbContext<NotesDbContext>("notesdb");
        builder.AddServiceMessaging<NotesDbContext>(serviceName, bus =>
        {
            if (consume)
            {
                bus.AddConsumer<NoteWrittenConsumer>();
            }
        });
        builder.Services.AddSingleton(faults);
        return builder.Build();
    }

    public static NotesDbContext OpenDatabase(string connectionString) =>
        new(new DbContextOptionsBuilder<NotesDbContext>().UseServiceDatabase(connectionString).Options);

    /// <summary>Waits until the consumer side has applied the note, and returns its copy.</summary>
    public static Task<NoteCopy> WaitForCopyAsync(string database, Guid noteId, TimeSpan? timeout = null) =>
        Eventually.GetAsync(
            async () =>
            {
                await using var db = OpenDatabase(database);
                return await db.Copies.AsNoTracking().FirstOrDefaultAsync(c => c.NoteId == noteId);
            },
            timeout ?? TimeSpan.FromSeconds(30),
            $"note {noteId} to be applied by the consumer");
}
