using System.Text;
using CloudSync.Outbox;
using CloudSync.Storage;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.CloudSync;

/// <summary>
/// Power loss at every write of an outbox workload: for each moment, disk images a crash could leave (unsynced writes
/// lost, an in-order cut, reordered writes, a torn write) are reopened and checked — every accepted message is there
/// with its bytes (or was delivered to every destination and cleaned up), a transaction is all or nothing, indexes
/// agree, and the outbox keeps working. Stock LiteDB on the same workload fails it (the test can fail).
/// </summary>
[Category("Integration")]
public class OutboxPowerLossTests
{
    private static readonly string[] Destinations = ["azure", "bms"];

    private sealed record Accepted(long Seq, string Payload, int AtOp, int Batch);

    private sealed class Workload
    {
        public CrashDisk Disk { get; } = new();
        public List<Accepted> Accepted { get; } = [];
        public List<(int Batch, long[] Seqs)> Batches { get; } = [];
    }

    private static OutboxOptions Options => new() { CheckpointPages = 24, QuotaBytes = long.MaxValue };

    private static string PayloadOf(long seq, Random r) => $"event-{seq}-" + new string((char)('a' + (seq % 26)), r.Next(20, 3000));

    /// <summary>Runs appends (single and batches of 10), acknowledgements and cleanups, recording the disk's history.</summary>
    private static Workload Run(int steps, int seed, bool unprotected)
    {
        var w = new Workload();
        var r = new Random(seed);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var data = w.Disk.Open(0);
        var log = w.Disk.Open(1);
        using Outbox outbox = unprotected
            ? Outbox.OpenUnprotected(new SyncOnFlushStream(data), log, Options, Destinations, time)
            : Outbox.Open(data, log, Options, Destinations, time);
        int batchNo = 0;
        for (int step = 0; step < steps; step++)
        {
            int action = r.Next(10);
            if (action < 5)
            {
                var payloads = new Dictionary<long, string>();
                long seq = outbox.Append("zone.entered", s => Encoding.UTF8.GetBytes(payloads[s] = PayloadOf(s, r)));
                w.Accepted.Add(new Accepted(seq, payloads[seq], w.Disk.History.Count, -1));
            }
            else if (action < 7)
            {
                var payloads = new Dictionary<long, string>();
                var batch = Enumerable.Range(0, 10).Select(_ => ("zone.occupancy", (Func<long, byte[]>)(s => Encoding.UTF8.GetBytes(payloads[s] = PayloadOf(s, r))))).ToList();
                int b = batchNo++;
                IReadOnlyList<long> seqs = outbox.Append(batch);
                w.Batches.Add((b, seqs.ToArray()));
                foreach (long s in seqs) w.Accepted.Add(new Accepted(s, payloads[s], w.Disk.History.Count, b));
            }
            else if (action < 9)
            {
                string dest = Destinations[r.Next(2)];
                outbox.Acknowledge(dest, Math.Max(0, outbox.LastSeq - r.Next(0, 15)));
            }
            else
            {
                outbox.Cleanup();
            }
        }
        return w;
    }

    /// <summary>Returns the problems found when reopening every crash image of the workload (empty: it passed).</summary>
    private static List<string> CrashEverywhere(Workload w, bool unprotected, int seed, out int images, CrashDisk.Mode[]? modes = null, int stopAfter = int.MaxValue)
    {
        var problems = new List<string>();
        var r = new Random(seed);
        images = 0;
        for (int cut = 0; cut <= w.Disk.History.Count; cut++)
        {
            if (problems.Count >= stopAfter) break;
            foreach (CrashDisk.Mode mode in modes ?? Enum.GetValues<CrashDisk.Mode>())
            {
                images++;
                var trace = new List<string>();
                var data = CrashDisk.SimFile.FromImage(w.Disk.ImageAt(0, cut, mode, r));
                var log = CrashDisk.SimFile.FromImage(w.Disk.ImageAt(1, cut, mode, r, trace));
                string? problem = Check(w, cut, data, log, unprotected);
                if (problem is not null) problems.Add($"crash before op {cut} ({mode}): {problem}; log ops {string.Join(" | ", trace.TakeLast(8))}");
            }
        }
        return problems;
    }

    private static string? Check(Workload w, int cut, CrashDisk.SimFile data, CrashDisk.SimFile log, bool unprotected)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero));
        try
        {
            using Outbox outbox = unprotected
                ? Outbox.OpenUnprotected(new SyncOnFlushStream(data), log, Options, Destinations, time)
                : Outbox.Open(data, log, Options, Destinations, time);
            var present = new Dictionary<long, string>();
            long after = 0;
            while (true)
            {
                var page = outbox.Peek("audit", 500, after);
                if (page.Count == 0) break;
                foreach (OutboxMessage m in page) present[m.Seq] = Encoding.UTF8.GetString(m.Payload);
                after = page[^1].Seq;
            }
            OutboxStats stats = outbox.Stats();
            if (stats.Messages != present.Count) return $"index count {stats.Messages} but {present.Count} messages readable";
            long delivered = Destinations.Min(outbox.Cursor);   // at or below: reached every destination, may be cleaned up
            foreach (Accepted a in w.Accepted.Where(a => a.AtOp <= cut))
            {
                if (present.TryGetValue(a.Seq, out string? p)) { if (p != a.Payload) return $"seq {a.Seq} has other bytes"; }
                else if (a.Seq > delivered) return $"accepted seq {a.Seq} is missing (delivered to all only up to {delivered}); present {string.Join(",", present.Keys.Order())}; data {data.Length} log {log.Length}";
            }
            foreach (var (batch, seqs) in w.Batches)
            {
                // Below the lowest cursor messages may be cleaned up one by one; above it a batch is all there or not at all.
                long[] live = seqs.Where(s => s > delivered).ToArray();
                int n = live.Count(present.ContainsKey);
                if (n != 0 && n != live.Length) return $"batch {batch} is half there ({n} of {live.Length} not yet delivered everywhere)";
            }
            if (present.Count > 0 && stats.LastSeq < present.Keys.Max()) return $"sequence {stats.LastSeq} is behind the stored {present.Keys.Max()}";
            long next = outbox.Append("zone.exited", _ => [1, 2, 3]);   // and it still works
            if (next != stats.LastSeq + 1) return $"next seq {next} after {stats.LastSeq}";
            return null;
        }
        catch (Exception e)
        {
            return $"reopen failed: {e.GetType().Name}: {e.Message}";
        }
    }

    [Test]
    public void PowerLossAtEveryWrite_EveryAcceptedMessageSurvivesAndNoTransactionIsHalfApplied([Values(1, 2)] int seed)
    {
        Workload w = Run(steps: 60, seed, unprotected: false);
        List<string> problems = CrashEverywhere(w, unprotected: false, seed, out int images);
        if (Environment.GetEnvironmentVariable("CRASH_DEBUG") is not null)
            for (int i = 0; i < Math.Min(140, w.Disk.History.Count); i++)
            {
                var o = w.Disk.History[i];
                TestContext.Out.WriteLine($"{i}: file {o.File} {o.Kind} pos {o.Position} len {o.Data?.Length ?? o.Length} conf {(o.Data is { Length: >= 19 } d ? d[18] : -1)} "
                    + $"accepted {string.Join(",", w.Accepted.Where(a => a.AtOp == i + 1).Select(a => a.Seq))}");
            }
        TestContext.Out.WriteLine($"{w.Accepted.Count} accepted messages, {w.Disk.History.Count} disk operations, {images} crash images, {problems.Count} problems");
        Assert.That(w.Disk.History.Count(o => o.Kind == CrashDisk.Kind.SetLength && o.File == 1), Is.GreaterThan(0), "the workload crosses checkpoints");
        Assert.That(problems, Is.Empty, string.Join("\n", problems.Take(10)));
    }

    [Test]
    public void StockLiteDb_SameWorkload_LosesAcceptedMessages()
    {
        Workload w = Run(steps: 60, seed: 1, unprotected: true);
        // Only the plainest crash (writes not fsynced are lost): torn or reordered images can send stock LiteDB into an
        // endless loop on open, which is a finding of its own but would hang the suite.
        List<string> problems = CrashEverywhere(w, unprotected: true, seed: 1, out int images, [CrashDisk.Mode.UnsyncedLost], stopAfter: 5);
        TestContext.Out.WriteLine($"stock LiteDB: {problems.Count} problems in {images} crash images, e.g. {problems.FirstOrDefault()}");
        Assert.That(problems, Is.Not.Empty, "without frames and fsync at commit, power loss loses accepted messages — this is what the test catches");
    }
}
