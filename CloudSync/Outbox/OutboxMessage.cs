using CloudSync.Contract;

namespace CloudSync.Outbox;

/// <summary>A message waiting in the outbox: its sequence number, type, class and the bytes to send.</summary>
public sealed record OutboxMessage(long Seq, string Type, MessageClass Class, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, byte[] Payload);

/// <summary>What the outbox holds and what it had to drop, by reason (<c>ttl</c>, <c>quota</c>) and class.</summary>
public sealed record OutboxStats(long LastSeq, long Messages, long Bytes, IReadOnlyDictionary<string, long> Pending,
                                 IReadOnlyDictionary<string, long> Dropped, long DeadLetters, IReadOnlyList<OutboxDamage> Damage);

/// <summary>
/// Damage the outbox found when it opened: the <paramref name="File"/> (a name in the outbox directory), what was wrong,
/// how many accepted events not yet delivered were lost (<paramref name="FirstSeq"/>..<paramref name="LastSeq"/>; 0 when
/// none), the seq numbering resumed after, and where an unreadable file was moved for <c>edge-agent outbox salvage</c>.
/// </summary>
public sealed record OutboxDamage(DateTimeOffset At, string File, string What, long Lost, long FirstSeq, long LastSeq, long ResumedAt, string? MovedAsideTo);
