using System.Text;
using CloudSync.Outbox;
using CloudSync.Storage;
using LiteDB;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.CloudSync;

/// <summary>The outbox on real LiteDB files: cursors, cleanup, TTL, quota by class, dead letters, and the LiteDB internals it relies on.</summary>
[Category("Integration")]
public class OutboxTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 7, 0, 0, TimeSpan.Zero);

    private static (Outbox Outbox, FakeTimeProvider Time, OutboxOptions Options) Open(string? dir = null, long quota = long.MaxValue, FakeTimeProvider? time = null)
    {
        var options = new OutboxOptions { Directory = dir ?? TestAssets.NewTempDirectory(), QuotaBytes = quota };
        time ??= new FakeTimeProvider(T0);
        return (Outbox.Open(options, ["azure", "bms"], time), time, options);
    }

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Test]
    public void LiteDbInternals_TheFramedLogReliesOn_AreUnchanged()
    {
        // FramedLogStream refuses (NotSupportedException) any log write that is not whole 8 KiB pages in order, and any
        // truncation other than to 0; it fsyncs at the page whose byte 18 (confirmed) is set. Pin all of it.
        Assert.That(typeof(LiteDatabase).Assembly.GetName().Version, Is.EqualTo(new Version(5, 0, 21, 0)), "the framed log was verified against LiteDB 5.0.21 only");
        string dir = TestAssets.NewTempDirectory();
        var data = new DurableFile(Path.Combine(dir, "d.db"));
        var framed = new FramedLogStream(new DurableFile(Path.Combine(dir, "d.log")));
        using (var db = new LiteDatabase(new SyncOnFlushStream(data), new BsonMapper(), framed) { CheckpointSize = 10 })
        {
            var col = db.GetCollection("c");
            for (int i = 1; i <= 50; i++)
            {
                long before = framed.Syncs;
                col.Insert(new BsonDocument { ["_id"] = i, ["v"] = new string('x', 500 * i) });
                Assert.That(framed.Syncs, Is.EqualTo(before + 1), $"commit {i}: exactly one confirmed page, one fsync");
            }
        }
        Assert.That(new FileInfo(Path.Combine(dir, "d.log")).Length % (FramedLogStream.PageSize + 16), Is.Zero);
    }

    [Test]
    public void Append_ThenReopen_EveryMessageBackWithItsSequence()
    {
        var (outbox, _, options) = Open();
        IReadOnlyList<long> seqs;
        using (outbox)
        {
            outbox.Append("zone.entered", s => Bytes($"first {s}"));
            seqs = outbox.Append([("zone.exited", s => Bytes($"e{s}")), ("door.crossed", s => Bytes($"d{s}"))]);
        }
        Assert.That(seqs, Is.EqualTo(new long[] { 2, 3 }));
        var (again, _, _) = Open(options.Directory);
        using (again)
        {
            var all = again.Peek("azure", 10);
            Assert.That(all.Select(m => (m.Seq, m.Type, Encoding.UTF8.GetString(m.Payload))), Is.EqualTo(new[] { (1L, "zone.entered", "first 1"), (2L, "zone.exited", "e2"), (3L, "door.crossed", "d3") }));
            Assert.That(again.Append("zone.entered", _ => [1]), Is.EqualTo(4), "the sequence continues across restarts, gap-free");
        }
    }

    [Test]
    public void Open_SameOutboxTwice_IsRefused()
    {
        var (outbox, _, options) = Open();
        using (outbox)
            Assert.That(() => Outbox.Open(options, ["azure"], TimeProvider.System), Throws.InstanceOf<IOException>(), "two instances on one LiteDB file corrupt it");
    }

    [Test]
    public void Acknowledge_PerDestination_CleanupKeepsWhatOneDestinationStillNeeds()
    {
        var (outbox, _, _) = Open();
        using (outbox)
        {
            for (int i = 0; i < 5; i++) outbox.Append("zone.entered", s => Bytes($"m{s}"));
            outbox.Acknowledge("azure", 5);
            outbox.Acknowledge("bms", 2);
            outbox.Acknowledge("bms", 1);   // never backwards
            outbox.Cleanup();
            Assert.That(outbox.Peek("azure", 10), Is.Empty);
            Assert.That(outbox.Peek("bms", 10).Select(m => m.Seq), Is.EqualTo(new long[] { 3, 4, 5 }));
            OutboxStats stats = outbox.Stats();
            Assert.That(stats.Messages, Is.EqualTo(3), "messages both destinations have are gone");
            Assert.That(stats.Pending, Is.EqualTo(new Dictionary<string, long> { ["azure"] = 0, ["bms"] = 3 }));
            Assert.That(stats.Dropped, Is.Empty, "delivery is not a drop");
        }
    }

    [Test]
    public void Cleanup_PastTheirTimeToLive_ExpiredMessagesDroppedAndCountedByClass()
    {
        var (outbox, time, options) = Open();
        using (outbox)
        {
            outbox.Append("zone.occupancy", _ => [1]);      // periodic: 24 h
            outbox.Append("availability.alert", _ => [2]);  // alert: 7 days
            time.Advance(TimeSpan.FromHours(25));
            outbox.Cleanup();
            Assert.That(outbox.Peek("azure", 10).Select(m => m.Type), Is.EqualTo(new[] { "availability.alert" }));
            Assert.That(outbox.Stats().Dropped, Is.EqualTo(new Dictionary<string, long> { ["ttl:periodic"] = 1 }));
        }
    }

    [Test]
    public void Cleanup_OverQuota_EvictsFramesAndOccupancyFirstOldestFirstAndKeepsAlerts()
    {
        var (outbox, _, _) = Open(quota: 3000);
        using (outbox)
        {
            outbox.Append("availability.alert", _ => new byte[1000]);  // 1
            outbox.Append("frame.sampled", _ => new byte[1000]);       // 2
            outbox.Append("zone.entered", _ => new byte[1000]);        // 3
            outbox.Append("zone.occupancy", _ => new byte[1000]);      // 4
            outbox.Append("frame.sampled", _ => new byte[1000]);       // 5
            outbox.Cleanup();
            Assert.That(outbox.Peek("azure", 10).Select(m => m.Seq), Is.EqualTo(new long[] { 1, 3, 4 }), "frames go first, oldest first, until under quota");
            Assert.That(outbox.Stats().Dropped, Is.EqualTo(new Dictionary<string, long> { ["quota:frame"] = 2 }));
            outbox.Append("zone.exited", _ => new byte[1000]);
            outbox.Cleanup();
            Assert.That(outbox.Peek("azure", 10).Select(m => m.Seq), Is.EqualTo(new long[] { 1, 3, 6 }), "then periodic occupancy; alerts and zone events last");
        }
    }

    [Test]
    public void DeadLetter_MessageOneDestinationCannotTake_IsSetAsideAndDoesNotBlockTheRest()
    {
        var (outbox, _, _) = Open();
        using (outbox)
        {
            for (int i = 0; i < 3; i++) outbox.Append("zone.entered", s => Bytes($"m{s}"));
            OutboxMessage poison = outbox.Peek("bms", 1)[0];
            outbox.DeadLetter("bms", poison, "too large");
            Assert.That(outbox.Peek("bms", 10).Select(m => m.Seq), Is.EqualTo(new long[] { 2, 3 }));
            Assert.That(outbox.Peek("azure", 10).Select(m => m.Seq), Is.EqualTo(new long[] { 1, 2, 3 }), "the other destination still gets it");
            Assert.That(outbox.DeadLetters("bms"), Is.EqualTo(new[] { (1L, "too large", "zone.entered") }));
        }
    }
}
