using System.Text;
using CloudSync.Outbox;

using EdgeAgent.Hosting;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edge-agent sync-writer --dir DIR --accepted FILE [--verify-only]</c>: the process that power-loss runs kill
/// (scripts/powerloss.sh). It first checks the outbox in DIR against FILE — every sequence number listed there was
/// accepted by an earlier run (its <c>Append</c> had returned) and must be in the outbox with its exact bytes — then,
/// unless <c>--verify-only</c>, appends batches of 1–50 events for ever, writing each accepted sequence number to FILE
/// after <c>Append</c> returns. FILE must live outside the file system under test (its own writes are not at risk).
/// Exit 0: all present; 7: an accepted event is missing or different (the outbox lost an accepted event).
/// </summary>
public static class SyncWriterCommand
{
    public static int Run(CliArgs args, CancellationToken ct)
    {
        string dir = args.Get("dir") ?? throw new CliException("--dir is required");
        string acceptedFile = args.Get("accepted") ?? throw new CliException("--accepted is required");
        bool verifyOnly = args.Has("verify-only");
        using Outbox outbox = Outbox.Open(new OutboxOptions { Directory = dir, QuotaBytes = long.MaxValue, CheckpointPages = 24 }, ["none"], TimeProvider.System);
        long[] accepted = File.Exists(acceptedFile)
            ? File.ReadAllLines(acceptedFile).Where(l => l.Length > 0 && l.All(char.IsAsciiDigit)).Select(long.Parse).ToArray()
            : [];
        var present = new Dictionary<long, byte[]>();
        for (long after = 0; ;)
        {
            IReadOnlyList<OutboxMessage> batch = outbox.Peek("none", 1000, after);
            if (batch.Count == 0) break;
            foreach (OutboxMessage m in batch) present[m.Seq] = m.Payload;
            after = batch[^1].Seq;
        }
        long[] missing = accepted.Where(s => !present.TryGetValue(s, out byte[]? p) || !p.AsSpan().SequenceEqual(Payload(s))).ToArray();
        Console.WriteLine($"verify: {accepted.Length} accepted, {present.Count} in the outbox (last seq {outbox.LastSeq}), {missing.Length} missing or different");
        if (missing.Length > 0)
        {
            Console.Error.WriteLine($"edge-agent: accepted events lost: {string.Join(", ", missing.Take(20))}");
            return ExitCodes.DataLoss;
        }
        if (verifyOnly) return ExitCodes.Ok;
        using var log = new StreamWriter(new FileStream(acceptedFile, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
        var random = new Random();
        while (!ct.IsCancellationRequested)
        {
            int n = random.Next(1, 51);
            IReadOnlyList<long> seqs = outbox.Append(Enumerable.Range(0, n).Select(_ => ("zone.entered", (Func<long, byte[]>)Payload)).ToList());
            log.Write(string.Concat(seqs.Select(s => $"{s}\n")));   // accepted: Append returned
        }
        return ExitCodes.Ok;
    }

    // Deterministic from seq, of varied length (20–3,000 bytes), so a reopened outbox can be checked byte for byte.
    private static byte[] Payload(long seq) => Encoding.UTF8.GetBytes($"{{\"seq\":{seq},\"pad\":\"{new string((char)('a' + seq % 26), (int)(seq * 7919 % 2980))}\"}}");
}
