using CloudSync.Contract;
using CloudSync.Storage;
using System.IO.Hashing;
using LiteDB;

namespace CloudSync.Outbox;

/// <summary>
/// The durable hand-off to the network. A message is <em>accepted</em> when <see cref="Append"/> returns: its commit
/// (message + the next sequence number, one transaction) has been fsynced through <see cref="FramedLogStream"/>.
/// Each destination has a cursor that moves only when that destination acknowledged; a message leaves when every
/// destination has it, or through a counted door — TTL per class, byte quota (lowest class, oldest first) — or, for
/// one destination, into the dead-letter collection. Thread-safe (one lock; LiteDB serialises writes anyway).
/// An I/O error here is fatal by design: the caller must stop the agent (LiteDB can fault its finaliser thread after
/// a failed commit), and systemd restarts it on the durable state.
/// </summary>
public sealed class Outbox : IDisposable
{
    private const string Messages = "messages", Cursors = "cursors", Meta = "meta", Drops = "drops", DeadLetterCollection = "deadletters", DamageCollection = "damage";
    public const string DataFileName = "outbox.db", LogFileName = "outbox.log", HighWaterFileName = "outbox.hwm";
    private readonly LiteDatabase _db;
    private readonly OutboxOptions _options;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<string> _destinations;
    private readonly HighWaterMark? _highWater;
    private readonly Lock _lock = new();
    private long _seq;
    private long _bytes;
    private readonly DateTimeOffset _openedWall;
    private readonly long _openedTimestamp;

    // Ages and TTLs run on the monotonic clock, anchored to the wall clock when the outbox opened: a wall-clock step
    // (NTP, an operator) neither expires messages early nor keeps them forever. Across a restart the anchor is re-read.
    private DateTimeOffset Now => _openedWall + _time.GetElapsedTime(_openedTimestamp);

    private readonly IDisposable[] _owned;   // LiteDB does not dispose streams it was given; the lock goes last

    private Outbox(LiteDatabase db, OutboxOptions options, TimeProvider time, IReadOnlyList<string> destinations, HighWaterMark? highWater,
                   OutboxDamage? moved, string? cause, params IDisposable[] owned)
    {
        _db = db;
        _owned = owned;
        _options = options;
        _time = time;
        _destinations = destinations;
        _highWater = highWater;
        _db.CheckpointSize = options.CheckpointPages;
        _openedWall = time.GetUtcNow();
        _openedTimestamp = time.GetTimestamp();
        _seq = _db.GetCollection(Meta).FindById("seq")?["value"].AsInt64 ?? 0;
        State = _db.GetCollection(Meta).FindById("state")?["value"].AsBinary;
        var damage = new List<OutboxDamage>();
        if (moved is not null) damage.Add(moved);
        _bytes = ScanMessages(damage);
        Reconcile(damage, moved, cause);
        Damage = damage;
    }

    /// <summary>
    /// Opens (or creates) the outbox files in <see cref="OutboxOptions.Directory"/>, holding the directory's lock for as
    /// long as it is open. An outbox that cannot be read is moved aside (<c>damaged-…/</c>) and a fresh one started; any
    /// accepted event found missing is counted as lost in <see cref="Damage"/> and numbering resumes above every
    /// <c>seq</c> ever handed out. Another agent holding the directory throws <see cref="OutboxLockedException"/>.
    /// </summary>
    public static Outbox Open(OutboxOptions options, IReadOnlyList<string> destinations, TimeProvider time)
    {
        Directory.CreateDirectory(options.Directory);
        StateLock stateLock = StateLock.Acquire(options.Directory);
        HighWaterMark? highWater = null;
        try
        {
            highWater = new HighWaterMark(new DurableFile(Path.Combine(options.Directory, HighWaterFileName)));
            string data = Path.Combine(options.Directory, DataFileName), log = Path.Combine(options.Directory, LogFileName);
            OutboxDamage? moved = null;
            // What an outbox found behind its high-water mark is blamed on: a missing file, else the log (whose frames
            // failed their checksums or were cut), else an older copy of both.
            string? cause = !File.Exists(data) ? $"{DataFileName} is missing" : !File.Exists(log) ? $"{LogFileName} is missing" : null;
            for (int attempt = 0; ; attempt++)
            {
                var dataFile = new DurableFile(data);
                DurableFile logFile;
                try { logFile = new DurableFile(log); }
                catch { dataFile.Dispose(); throw; }
                try
                {
                    return Open(dataFile, logFile, options, destinations, time, highWater, moved, cause, stateLock);
                }
                catch (Exception e) when (attempt == 0 && Unreadable(e))
                {
                    // Unreadable (a bad block, a truncated or overwritten file): keep it for the operator, start afresh.
                    string aside = MoveAside(options.Directory, time);
                    moved = new OutboxDamage(time.GetUtcNow(), DataFileName, $"{DataFileName} unreadable ({Short(e)}); moved aside to {aside}", 0, 0, 0, 0, aside);
                }
            }
        }
        catch
        {
            highWater?.Dispose();
            stateLock.Dispose();
            throw;
        }
    }

    /// <summary>Opens the outbox on two durable streams (the data file and the log), e.g. a crash simulator's.</summary>
    public static Outbox Open(DurableStream data, DurableStream log, OutboxOptions options, IReadOnlyList<string> destinations, TimeProvider time,
                              HighWaterMark? highWater = null) =>
        Open(data, log, options, destinations, time, highWater, null, null);

    private static Outbox Open(DurableStream data, DurableStream log, OutboxOptions options, IReadOnlyList<string> destinations, TimeProvider time,
                               HighWaterMark? highWater, OutboxDamage? moved, string? cause, params IDisposable[] alsoOwned)
    {
        var dataStream = new SyncOnFlushStream(data);
        FramedLogStream? logStream = null;
        LiteDatabase? db = null;
        try
        {
            logStream = new FramedLogStream(log);
            db = new LiteDatabase(dataStream, new BsonMapper(), logStream);
            cause ??= logStream.DroppedTailFrames ? $"{LogFileName} failed its frame checksums (damaged or cut short); the valid prefix was kept" : null;
            return new Outbox(db, options, time, destinations, highWater, moved, cause, [dataStream, logStream, .. (highWater is null ? Array.Empty<IDisposable>() : [highWater]), .. alsoOwned]);
        }
        catch
        {
            try { db?.Dispose(); }
            catch (Exception) { }   // a damaged database can fail its own disposal; the cause is what matters
            dataStream.Dispose();
            if (logStream is null) log.Dispose(); else logStream.Dispose();
            throw;
        }
    }

    /// <summary>Damage found when this outbox opened (none on a healthy start): each names the file, what and how much was lost.</summary>
    public IReadOnlyList<OutboxDamage> Damage { get; }

    /// <summary>
    /// The caller's state as of the last <see cref="Append"/> that carried one (the zone engine's open presences), or
    /// null — saved in the same transaction as those events, so events and state never disagree after a crash.
    /// </summary>
    public byte[]? State { get; private set; }

    // Reads every message once (the byte count), checking each payload against its checksum: a damaged one is removed,
    // counted as "damaged:<class>" and reported; it is never sent.
    private long ScanMessages(List<OutboxDamage> damage)
    {
        var messages = _db.GetCollection(Messages);
        long bytes = 0;
        var bad = new List<BsonDocument>();
        foreach (BsonDocument d in messages.FindAll())
        {
            if (d.TryGetValue("crc", out BsonValue crc) && crc.AsInt64 != Crc32.HashToUInt32(d["payload"].AsBinary)) bad.Add(d);
            else bytes += d["bytes"].AsInt32;
        }
        if (bad.Count == 0) return bytes;
        var drops = new Dictionary<string, long>();
        _db.BeginTrans();
        foreach (BsonDocument d in bad)
        {
            messages.Delete(d["_id"]);
            string key = $"damaged:{((MessageClass)d["cls"].AsInt32).ToString().ToLowerInvariant()}";
            drops[key] = drops.GetValueOrDefault(key) + 1;
        }
        AddDrops(drops);
        _db.Commit();
        damage.Add(new OutboxDamage(Now, DataFileName, $"{bad.Count} message(s) failed their checksum and were removed", bad.Count,
            bad.Min(d => d["_id"].AsInt64), bad.Max(d => d["_id"].AsInt64), _seq, null));
        return bytes;
    }

    // The outbox against its high-water mark: an outbox behind what was accepted has lost events (a damaged or deleted
    // log, an old backup, a fresh start after moving a damaged file aside). Those are counted, reported, and numbering
    // resumes above every seq ever handed out, so no seq can name two events.
    private void Reconcile(List<OutboxDamage> damage, OutboxDamage? moved, string? cause)
    {
        if (_highWater is null) return;
        long acknowledged = _destinations.Count == 0 ? 0 : _destinations.Min(CursorOf);
        if (!_highWater.Found)
        {
            if (_highWater.Damaged || _seq > 0)
                damage.Add(new OutboxDamage(Now, HighWaterFileName, _highWater.Damaged ? "damaged; rebuilt from the outbox" : "missing; rebuilt from the outbox",
                    0, 0, 0, _seq, null));
            _highWater.Reset(_seq, _seq, acknowledged);
            Persist(damage, 0);
            return;
        }
        if (_seq >= _highWater.Committed && moved is null)
        {
            if (_seq > _highWater.Reserved) _highWater.Reset(_seq, _seq, acknowledged);   // restored from a newer copy: trust the outbox
            Persist(damage, 0);
            return;
        }
        long firstLost = Math.Max(_seq, _highWater.Acknowledged) + 1, lastLost = _highWater.Committed;
        long lost = Math.Max(0, lastLost - firstLost + 1);
        long resume = Math.Max(_seq, _highWater.Reserved);
        string file = moved?.File ?? (cause?.StartsWith(DataFileName, StringComparison.Ordinal) == true ? DataFileName : LogFileName);
        string what = moved is not null
            ? $"{moved.What}; {lost} accepted event(s) not yet delivered are lost"
            : $"{cause ?? "both files are older than the high-water mark (restored from a backup?)"}: accepted events up to seq {_highWater.Committed}, found up to {_seq}; {lost} not yet delivered are lost";
        if (moved is not null) damage.Remove(moved);
        damage.Add(new OutboxDamage(Now, file, what, lost, lost > 0 ? firstLost : 0, lost > 0 ? lastLost : 0, resume, moved?.MovedAsideTo));
        _db.BeginTrans();
        _db.GetCollection(Meta).Upsert(new BsonDocument { ["_id"] = "seq", ["value"] = resume });
        _db.Commit();
        _seq = resume;
        _highWater.Reset(resume, resume, Math.Max(acknowledged, _highWater.Acknowledged));
        Persist(damage, lost);
    }

    // Damage is kept in the outbox (the last 50 reports, for the status page and the retained outbox report) and lost
    // events are counted with the other drops as "damaged:unknown" (their class died with them).
    private void Persist(List<OutboxDamage> damage, long lost)
    {
        if (damage.Count == 0) return;
        var collection = _db.GetCollection(DamageCollection);
        _db.BeginTrans();
        foreach (OutboxDamage d in damage)
            collection.Insert(new BsonDocument
            {
                ["at"] = d.At.UtcTicks, ["file"] = d.File, ["what"] = d.What, ["lost"] = d.Lost, ["first"] = d.FirstSeq, ["last"] = d.LastSeq,
                ["resumed"] = d.ResumedAt, ["aside"] = d.MovedAsideTo ?? "",
            });
        foreach (BsonDocument old in collection.FindAll().OrderByDescending(x => x["_id"].AsObjectId).Skip(50).ToList()) collection.Delete(old["_id"]);
        if (lost > 0) AddDrops(new Dictionary<string, long> { ["damaged:unknown"] = lost });
        _db.Commit();
    }

    private void AddDrops(Dictionary<string, long> drops)
    {
        var dropCollection = _db.GetCollection(Drops);
        foreach (var (key, n) in drops)
        {
            long before = dropCollection.FindById(key)?["count"].AsInt64 ?? 0;
            dropCollection.Upsert(new BsonDocument { ["_id"] = key, ["count"] = before + n });
        }
    }

    private static string MoveAside(string directory, TimeProvider time)
    {
        string aside = Path.Combine(directory, $"damaged-{time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}");
        for (int n = 2; Directory.Exists(aside); n++) aside = Path.Combine(directory, $"damaged-{time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}-{n}");
        Directory.CreateDirectory(aside);
        foreach (string name in new[] { DataFileName, LogFileName })
            if (File.Exists(Path.Combine(directory, name))) File.Move(Path.Combine(directory, name), Path.Combine(aside, name));
        return aside;
    }

    // What a damaged file throws (LiteDB's own errors, short reads, bad BSON), as opposed to the operating system
    // refusing (permissions, a missing directory, a full disk, another agent), which must stop the agent and not
    // move anything.
    private static bool Unreadable(Exception e) =>
        e is not (OutboxLockedException or UnauthorizedAccessException or DirectoryNotFoundException or OutOfMemoryException)
        && (e is not IOException || e is EndOfStreamException);

    private static string Short(Exception e) => (e.InnerException ?? e).Message.Split('\n')[0];

    /// <summary>Stock LiteDB on the same streams (no frames, no fsync at commit): only for the test that shows why not.</summary>
    internal static Outbox OpenUnprotected(Stream data, Stream log, OutboxOptions options, IReadOnlyList<string> destinations, TimeProvider time) =>
        new(new LiteDatabase(data, new BsonMapper(), log), options, time, destinations, null, null, null, data, log);

    public long LastSeq { get { lock (_lock) return _seq; } }

    /// <summary>The last sequence number the destination acknowledged (0 for none).</summary>
    public long Cursor(string destination)
    {
        lock (_lock) return CursorOf(destination);
    }

    /// <summary>
    /// Accepts messages in one durable transaction. <paramref name="build"/> makes each payload from the sequence number
    /// it is given (the event envelope carries its <c>seq</c>). Returns the sequence numbers, in order.
    /// </summary>
    public IReadOnlyList<long> Append(IReadOnlyList<(string Type, Func<long, byte[]> Build)> batch) => Append(batch, null);

    /// <summary>
    /// As <see cref="Append(IReadOnlyList{ValueTuple{string, Func{long, byte[]}}})"/>, saving <paramref name="state"/> (see
    /// <see cref="State"/>) in the same transaction as the messages.
    /// </summary>
    public IReadOnlyList<long> Append(IReadOnlyList<(string Type, Func<long, byte[]> Build)> batch, byte[]? state)
    {
        if (batch.Count == 0) return [];
        lock (_lock)
        {
            DateTimeOffset now = Now;
            var seqs = new long[batch.Count];
            var types = batch.Select(b => b.Type);
            var messages = _db.GetCollection(Messages);
            long seq = _seq, bytes = 0;
            _db.BeginTrans();
            try
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    var (type, build) = batch[i];
                    byte[] payload = build(++seq);
                    MessageClass cls = EventTypes.ClassOf(type);
                    messages.Insert(new BsonDocument
                    {
                        ["_id"] = seq, ["type"] = type, ["cls"] = (int)cls, ["bytes"] = payload.Length,
                        ["created"] = now.UtcTicks, ["expires"] = (now + _options.TimeToLive(cls)).UtcTicks, ["payload"] = payload,
                        ["crc"] = (long)Crc32.HashToUInt32(payload),
                    });
                    seqs[i] = seq;
                    bytes += payload.Length;
                }
                _db.GetCollection(Meta).Upsert(new BsonDocument { ["_id"] = "seq", ["value"] = seq });
                if (state is not null) _db.GetCollection(Meta).Upsert(new BsonDocument { ["_id"] = "state", ["value"] = state });
                FailPoints.Hit(FailPoints.BeforeReserve, types);
                _highWater?.Reserve(seq);   // no seq is committed that the high-water mark does not cover
                FailPoints.Hit(FailPoints.BeforeCommit, types);
                _db.Commit();   // durable on return: FramedLogStream fsyncs at the confirmed page
                FailPoints.Hit(FailPoints.AfterCommit, types);
            }
            catch (Exception e)
            {
                // After an I/O failure LiteDB's rollback fails too ("discarded page must be writable") and would hide the
                // cause, so its error is dropped and the first one reported. Nothing of this batch was accepted.
                try { _db.Rollback(); }
                catch (Exception) { }
                throw new OutboxStorageException($"the outbox could not store {batch.Count} event(s): {(e.InnerException as IOException ?? e).Message}", e);
            }
            _seq = seq;
            _bytes += bytes;
            if (state is not null) State = state;
            try { _highWater?.Commit(seq, _destinations.Count == 0 ? 0 : _destinations.Min(CursorOf)); }
            catch (IOException e) { throw new OutboxStorageException($"the outbox's high-water mark could not be written: {e.Message}", e); }
            FailPoints.Hit(FailPoints.AfterHighWater, types);
            return seqs;
        }
    }

    /// <summary>One message; see <see cref="Append(IReadOnlyList{ValueTuple{string, Func{long, byte[]}}})"/>.</summary>
    public long Append(string type, Func<long, byte[]> build) => Append([(type, build)])[0];

    /// <summary>Up to <paramref name="max"/> messages the destination has not acknowledged, oldest first.</summary>
    public IReadOnlyList<OutboxMessage> Peek(string destination, int max, long after = -1)
    {
        lock (_lock)
        {
            long from = Math.Max(after, CursorOf(destination));
            return _db.GetCollection(Messages).Find(Query.GT("_id", from), 0, max).Select(ToMessage).ToList();
        }
    }

    /// <summary>The destination has every message up to <paramref name="seq"/>: its cursor moves there (never back).</summary>
    public void Acknowledge(string destination, long seq)
    {
        lock (_lock)
        {
            if (seq <= CursorOf(destination)) return;
            _db.GetCollection(Cursors).Upsert(new BsonDocument { ["_id"] = destination, ["seq"] = seq });
        }
    }

    /// <summary>A message the destination can never take (too large, refused for good): kept aside, counted, and passed.</summary>
    public void DeadLetter(string destination, OutboxMessage message, string reason)
    {
        lock (_lock)
        {
            _db.BeginTrans();
            _db.GetCollection(DeadLetterCollection).Insert(new BsonDocument
            {
                ["seq"] = message.Seq, ["destination"] = destination, ["reason"] = reason, ["type"] = message.Type,
                ["at"] = Now.UtcTicks, ["payload"] = message.Payload,
            });
            if (message.Seq > CursorOf(destination))
                _db.GetCollection(Cursors).Upsert(new BsonDocument { ["_id"] = destination, ["seq"] = message.Seq });
            _db.Commit();
        }
    }

    /// <summary>
    /// Removes what every destination has, what outlived its TTL, and — over the quota — the lowest class, oldest first.
    /// Every message dropped before all destinations had it is counted by reason and class.
    /// </summary>
    public void Cleanup()
    {
        lock (_lock)
        {
            var messages = _db.GetCollection(Messages);
            long delivered = _destinations.Count == 0 ? 0 : _destinations.Min(CursorOf);
            long now = Now.UtcTicks;
            var drops = new Dictionary<string, long>();
            _db.BeginTrans();
            foreach (BsonDocument d in messages.Find(Query.LTE("_id", delivered)).ToList()) Remove(messages, d, null, drops);
            foreach (BsonDocument d in messages.Find(Query.LT("expires", now)).ToList()) Remove(messages, d, "ttl", drops);
            if (_bytes > _options.QuotaBytes)
            {
                foreach (BsonDocument d in messages.FindAll().OrderByDescending(d => d["cls"].AsInt32).ThenBy(d => d["_id"].AsInt64).ToList())
                {
                    if (_bytes <= _options.QuotaBytes) break;
                    Remove(messages, d, "quota", drops);
                }
            }
            AddDrops(drops);
            _db.Commit();
        }
    }

    public OutboxStats Stats()
    {
        lock (_lock)
        {
            var messages = _db.GetCollection(Messages);
            var pending = _destinations.ToDictionary(d => d, d => (long)messages.Count(Query.GT("_id", CursorOf(d))), StringComparer.Ordinal);
            var dropped = _db.GetCollection(Drops).FindAll().ToDictionary(d => d["_id"].AsString, d => d["count"].AsInt64, StringComparer.Ordinal);
            var damage = _db.GetCollection(DamageCollection).FindAll().OrderByDescending(d => d["_id"].AsObjectId).Take(5).Select(d => new OutboxDamage(
                new DateTimeOffset(d["at"].AsInt64, TimeSpan.Zero), d["file"].AsString, d["what"].AsString, d["lost"].AsInt64, d["first"].AsInt64,
                d["last"].AsInt64, d["resumed"].AsInt64, d["aside"].AsString is { Length: > 0 } a ? a : null)).ToList();
            return new OutboxStats(_seq, messages.Count(), _bytes, pending, dropped, _db.GetCollection(DeadLetterCollection).Count(), damage);
        }
    }

    /// <summary>Dead letters of a destination (for the operator), oldest first.</summary>
    public IReadOnlyList<(long Seq, string Reason, string Type)> DeadLetters(string destination)
    {
        lock (_lock)
            return _db.GetCollection(DeadLetterCollection).Find(Query.EQ("destination", destination))
                .Select(d => (d["seq"].AsInt64, d["reason"].AsString, d["type"].AsString)).ToList();
    }

    private void Remove(ILiteCollection<BsonDocument> messages, BsonDocument d, string? reason, Dictionary<string, long> drops)
    {
        if (!messages.Delete(d["_id"])) return;
        _bytes -= d["bytes"].AsInt32;
        if (reason is null) return;
        string key = $"{reason}:{((MessageClass)d["cls"].AsInt32).ToString().ToLowerInvariant()}";
        drops[key] = drops.GetValueOrDefault(key) + 1;
    }

    private long CursorOf(string destination) => _db.GetCollection(Cursors).FindById(destination)?["seq"].AsInt64 ?? 0;

    private static OutboxMessage ToMessage(BsonDocument d) => new(
        d["_id"].AsInt64, d["type"].AsString, (MessageClass)d["cls"].AsInt32,
        new DateTimeOffset(d["created"].AsInt64, TimeSpan.Zero), new DateTimeOffset(d["expires"].AsInt64, TimeSpan.Zero), d["payload"].AsBinary);

    public void Dispose()
    {
        lock (_lock)
        {
            _db.Dispose();
            foreach (IDisposable s in _owned) s.Dispose();
        }
    }
}

/// <summary>The outbox's storage failed (disk full, I/O error): fatal for the agent, which exits non-zero and is restarted.</summary>
public sealed class OutboxStorageException(string message, Exception inner) : IOException(message, inner);

/// <summary>Another agent (or an operator's tool) holds the outbox directory; two on one LiteDB file would corrupt it.</summary>
public sealed class OutboxLockedException(string message) : IOException(message);
