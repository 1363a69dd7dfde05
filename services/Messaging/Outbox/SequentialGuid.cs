using System.Buffers.Binary;
using System.Security.Cryptography;

namespace InterimPlatform.Messaging.Outbox;

/// <summary>
/// UUIDv7 values that strictly increase in creation order within a process, even within one millisecond
/// (a 12-bit counter in the <c>rand_a</c> field, RFC 9562 method 1). <see cref="Guid.CreateVersion7()"/>
/// fills those bits at random, so two events written in the same millisecond could sort either way, and
/// EF Core inserts a batch in key order: the outbox's insertion order would not be the order of writing.
/// </summary>
public static class SequentialGuid
{
    private static readonly Lock s_gate = new();
    private static long s_lastMilliseconds;
    private static int s_counter;

    public static Guid Next(DateTimeOffset now)
    {
        long milliseconds;
        int counter;
        lock (s_gate)
        {
            milliseconds = Math.Max(now.ToUnixTimeMilliseconds(), s_lastMilliseconds);
            if (milliseconds == s_lastMilliseconds)
            {
                s_counter++;
                if (s_counter > 0xFFF)
                {
                    milliseconds++; // counter exhausted: borrow the next millisecond
                    s_counter = 0;
                }
            }
            else
            {
                s_counter = 0;
            }

            s_lastMilliseconds = milliseconds;
            counter = s_counter;
        }

        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes[8..]);
        BinaryPrimitives.WriteInt64BigEndian(bytes, milliseconds << 16);
        bytes[6] = (byte)(0x70 | (counter >> 8)); // version 7
        bytes[7] = (byte)counter;
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F)); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }
}
