using CloudSync.Contract;
using CloudSync.Storage;
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
    private const string Messages = "messages", Cursors = "cursors", Meta = "meta", Drops = "drops", DeadLetterCollection = "deadletters";
    private readonly LiteDatabase _db;
    private readonly OutboxOptions _options;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<string> _destinations;
    private readonly Lock _lock = new();
    private long _seq;
    private long _bytes;
    private readonly DateTimeOffset _openedWall;
    private readonly long _openedTimestamp;

    // Ages and TTLs run on the monotonic clock, anchored to the wall clock when the outbox opened: a wall-clock step
    // (NTP, an operator) neither expires messages early nor keeps them forever. Across a restart the anchor is re-read.
    private DateTimeOffset Now => _openedWall + _time.GetElapsedTime(_openedTimestamp);

    private readonly Stream[] _streams;   // LiteDB does not dispose streams it was given

    private Outbox(LiteDatabase db, OutboxOptions options, TimeProvider time, IReadOnlyList<string> destinations, params Stream[] streams)
    {
        _db = db;
        _streams = streams;
        _options = options;
        _time = time;
        _destinations = destinations;
        _db.CheckpointSize = options.CheckpointPages;
        _openedWall = time.GetUtcNow();
        _openedTimestamp = time.GetTimestamp();
        var messages = _db.GetCollection(Messages);
        _seq = _db.GetCollection(Meta).FindById("seq")?["value"].AsInt64 ?? 0;
        _bytes = messages.FindAll().Sum(d => (long)d["bytes"].AsInt32);
    }

    /// <summary>Opens (or creates) the outbox files in <see cref="OutboxOptions.Directory"/>.</summary>
    public static Outbox Open(OutboxOptions options, IReadOnlyList<string> destinations, TimeProvider time)
    {
        Directory.CreateDirectory(options.Directory);
        var data = new DurableFile(Path.Combine(options.Directory, "outbox.db"));
        DurableFile log;
        try { log = new DurableFile(Path.Combine(options.Directory, "outbox.log")); }
        catch { data.Dispose(); throw; }
        return Open(data, log, options, destinations, time);
    }

    /// <summary>Opens the outbox on two durable streams (the data file and the log), e.g. a crash simulator's.</summary>
    public static Outbox Open(DurableStream data, DurableStream log, OutboxOptions options, IReadOnlyList<string> destinations, TimeProvider time)
    {
        var dataStream = new SyncOnFlushStream(data);
        FramedLogStream? logStream = null;
        try
        {
            logStream = new FramedLogStream(log);
            var db = new LiteDatabase(dataStream, new BsonMapper(), logStream);
            return new Outbox(db, options, time, destinations, dataStream, logStream);
        }
        catch
        {
            dataStream.Dispose();
            if (logStream is null) log.Dispose(); else logStream.Dispose();
            throw;
        }
    }

    /// <summary>Stock LiteDB on the same streams (no frames, no fsync at commit): only for the test that shows why not.</summary>
    internal static Outbox OpenUnprotected(Stream data, Stream log, OutboxOptions options, IReadOnlyList<string> destinations, TimeProvider time) =>
        new(new LiteDatabase(data, new BsonMapper(), log), options, time, destinations, data, log);

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
    public IReadOnlyList<long> Append(IReadOnlyList<(string Type, Func<long, byte[]> Build)> batch)
    {
        if (batch.Count == 0) return [];
        lock (_lock)
        {
            DateTimeOffset now = Now;
            var seqs = new long[batch.Count];
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
                    });
                    seqs[i] = seq;
                    bytes += payload.Length;
                }
                _db.GetCollection(Meta).Upsert(new BsonDocument { ["_id"] = "seq", ["value"] = seq });
                _db.Commit();   // durable on return: FramedLogStream fsyncs at the confirmed page
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
            var dropCollection = _db.GetCollection(Drops);
            foreach (var (key, n) in drops)
            {
                long before = dropCollection.FindById(key)?["count"].AsInt64 ?? 0;
                dropCollection.Upsert(new BsonDocument { ["_id"] = key, ["count"] = before + n });
            }
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
            return new OutboxStats(_seq, messages.Count(), _bytes, pending, dropped, _db.GetCollection(DeadLetterCollection).Count());
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
            foreach (Stream s in _streams) s.Dispose();
        }
    }
}

/// <summary>The outbox's storage failed (disk full, I/O error): fatal for the agent, which exits non-zero and is restarted.</summary>
public sealed class OutboxStorageException(string message, Exception inner) : IOException(message, inner);
