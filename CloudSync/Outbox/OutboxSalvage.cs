using System.IO.Hashing;
using CloudSync.Storage;
using LiteDB;

namespace CloudSync.Outbox;

/// <summary>What <see cref="OutboxSalvage.Read"/> found in an outbox folder.</summary>
public sealed record SalvageReport(IReadOnlyList<OutboxMessage> Messages, int Damaged, long LastSeq, bool LogCut, string? Unreadable,
                                   IReadOnlyDictionary<string, long> Cursors, HighWaterMark? HighWater);

/// <summary>
/// Reads an outbox's files for the operator (<c>edge-agent outbox verify|salvage</c>), never changing them: the files
/// are copied to a scratch folder first, opened there with the same framed log, and every message that can be read
/// and passes its checksum is returned. When the database cannot be opened with its log, it is tried without it (the
/// checkpointed part). The folder must not be in use by an agent.
/// </summary>
public static class OutboxSalvage
{
    public static SalvageReport Read(string directory)
    {
        using (StateLock.Acquire(directory)) { }   // refuse a folder a running agent holds (its files are changing)
        string scratch = Path.Combine(Path.GetTempPath(), $"edge-outbox-{Guid.NewGuid():N}");
        Directory.CreateDirectory(scratch);
        try
        {
            foreach (string name in new[] { Outbox.DataFileName, Outbox.LogFileName, Outbox.HighWaterFileName })
                if (File.Exists(Path.Combine(directory, name))) File.Copy(Path.Combine(directory, name), Path.Combine(scratch, name));
            HighWaterMark? highWater = null;
            if (File.Exists(Path.Combine(scratch, Outbox.HighWaterFileName)))
            {
                using var hwm = new HighWaterMark(new DurableFile(Path.Combine(scratch, Outbox.HighWaterFileName)));
                highWater = hwm.Found ? hwm : null;
            }
            try
            {
                return ReadCopy(scratch, withLog: true, highWater);
            }
            catch (Exception first) when (first is not OutOfMemoryException)
            {
                File.Delete(Path.Combine(scratch, Outbox.LogFileName));
                try
                {
                    return ReadCopy(scratch, withLog: false, highWater) with { Unreadable = $"with its log: {first.Message.Split('\n')[0]}; read without it" };
                }
                catch (Exception second) when (second is not OutOfMemoryException)
                {
                    return new SalvageReport([], 0, 0, false, $"{second.Message.Split('\n')[0]}", new Dictionary<string, long>(), highWater);
                }
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static SalvageReport ReadCopy(string scratch, bool withLog, HighWaterMark? highWater)
    {
        using var data = new SyncOnFlushStream(new DurableFile(Path.Combine(scratch, Outbox.DataFileName)));
        using var log = new FramedLogStream(new DurableFile(Path.Combine(scratch, Outbox.LogFileName)));
        using var db = new LiteDatabase(data, new BsonMapper(), log);
        var messages = new List<OutboxMessage>();
        int damaged = 0;
        var collection = db.GetCollection("messages");
        foreach (BsonDocument d in collection.FindAll())
        {
            byte[] payload = d["payload"].AsBinary;
            if (d.TryGetValue("crc", out BsonValue crc) && crc.AsInt64 != Crc32.HashToUInt32(payload))
            {
                damaged++;
                continue;
            }
            messages.Add(new OutboxMessage(d["_id"].AsInt64, d["type"].AsString, (Contract.MessageClass)d["cls"].AsInt32,
                new DateTimeOffset(d["created"].AsInt64, TimeSpan.Zero), new DateTimeOffset(d["expires"].AsInt64, TimeSpan.Zero), payload));
        }
        long lastSeq = db.GetCollection("meta").FindById("seq")?["value"].AsInt64 ?? 0;
        var cursors = db.GetCollection("cursors").FindAll().ToDictionary(c => c["_id"].AsString, c => c["seq"].AsInt64, StringComparer.Ordinal);
        return new SalvageReport(messages, damaged, lastSeq, withLog && log.DroppedTailFrames, null, cursors, highWater);
    }
}
