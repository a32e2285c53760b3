using CloudSync.Contract;

namespace CloudSync.Outbox;

/// <summary>A message waiting in the outbox: its sequence number, type, class and the bytes to send.</summary>
public sealed record OutboxMessage(long Seq, string Type, MessageClass Class, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, byte[] Payload);

/// <summary>What the outbox holds and what it had to drop, by reason (<c>ttl</c>, <c>quota</c>) and class.</summary>
public sealed record OutboxStats(long LastSeq, long Messages, long Bytes, IReadOnlyDictionary<string, long> Pending,
                                 IReadOnlyDictionary<string, long> Dropped, long DeadLetters);
