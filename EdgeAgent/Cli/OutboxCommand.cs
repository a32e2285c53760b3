using System.Text;
using CloudSync.Outbox;
using EdgeAgent.Configuration;
using EdgeAgent.Hosting;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edge-agent outbox verify [--dir DIR | --config FILE]</c>: checks an outbox's files without changing them — every
/// message's checksum, the log's frames, the sequence against the high-water mark — and says whether events were lost
/// (exit 7) or not (exit 0). <c>edge-agent outbox salvage --from DIR --out FILE</c>: writes every readable event of an
/// outbox folder (e.g. a <c>damaged-…</c> folder the agent moved aside) to a JSON-lines file, oldest first, for the
/// operator to hand on; subscribers deduplicate by <c>eventId</c>. Both refuse a folder a running agent holds.
/// </summary>
public static class OutboxCommand
{
    public static int Run(CliArgs args)
    {
        string verb = args.Positional.Count > 0 ? args.Positional[0] : "";
        string? dir = args.Get("dir") ?? args.Get("from");
        string? config = args.Get("config");
        string? output = args.Get("out");
        if (args.Positional.Count != 1 || verb is not ("verify" or "salvage"))
            throw new CliException("usage: edge-agent outbox verify [--dir DIR | --config FILE] | outbox salvage --from DIR --out FILE");
        if (dir is null)
        {
            if (verb == "salvage") throw new CliException("outbox salvage needs --from DIR (the outbox folder or a damaged-… folder in it)");
            dir = SettingsLoader.Load(config, overrides: null, requireCameras: false).Sync.Outbox.Directory;
        }
        if (!Directory.Exists(dir)) throw new CliException($"'{dir}' is not a directory");
        SalvageReport report = OutboxSalvage.Read(dir);
        return verb == "verify" ? Verify(dir, report) : Salvage(report, output ?? throw new CliException("outbox salvage needs --out FILE"));
    }

    private static int Verify(string dir, SalvageReport r)
    {
        Console.WriteLine($"outbox {Path.GetFullPath(dir)}");
        var problems = new List<string>();
        if (r.Unreadable is { } why) problems.Add($"{Outbox.DataFileName}: {why}");
        if (r.Damaged > 0) problems.Add($"{r.Damaged} message(s) failed their checksum");
        long first = r.Messages.Count > 0 ? r.Messages.Min(m => m.Seq) : 0, last = r.Messages.Count > 0 ? r.Messages.Max(m => m.Seq) : 0;
        Console.WriteLine($"  messages: {r.Messages.Count} held (seq {first}..{last}), last seq handed out {r.LastSeq}{(r.LogCut ? "; the log's tail was cut (a crash mid-write, or damage)" : "")}");
        foreach (var (destination, cursor) in r.Cursors.OrderBy(c => c.Key, StringComparer.Ordinal))
            Console.WriteLine($"  destination {destination}: acknowledged up to seq {cursor}");
        if (r.HighWater is { } hwm)
        {
            Console.WriteLine($"  high-water mark: committed {hwm.Committed}, reserved {hwm.Reserved}, acknowledged by all {hwm.Acknowledged}");
            if (r.LastSeq < hwm.Committed)
                problems.Add($"behind its high-water mark: accepted up to seq {hwm.Committed}, found up to {r.LastSeq} — {hwm.Committed - Math.Max(r.LastSeq, hwm.Acknowledged)} event(s) lost");
        }
        else
        {
            Console.WriteLine($"  high-water mark: {Outbox.HighWaterFileName} missing or unreadable (loss cannot be measured)");
        }
        long gaps = GapsAbove(r);
        if (gaps > 0) problems.Add($"{gaps} seq number(s) missing between the oldest and newest message not yet delivered everywhere");
        foreach (string p in problems) Console.WriteLine($"  DAMAGED: {p}");
        Console.WriteLine(problems.Count == 0 ? "verdict: healthy" : "verdict: damaged — the agent reports and skips this at start; 'edge-agent outbox salvage' exports what is readable");
        return problems.Count == 0 ? ExitCodes.Ok : ExitCodes.DataLoss;
    }

    // Messages leave in order once delivered everywhere (or through a counted door), so a hole inside what is still held
    // that no door explains is damage.
    private static long GapsAbove(SalvageReport r)
    {
        long acknowledged = r.Cursors.Count == 0 ? 0 : r.Cursors.Values.Min();
        var held = r.Messages.Select(m => m.Seq).Where(s => s > acknowledged).Order().ToList();
        return held.Count < 2 ? 0 : held[^1] - held[0] + 1 - held.Count;
    }

    private static int Salvage(SalvageReport r, string output)
    {
        if (r.Unreadable is { } why) Console.Error.WriteLine($"note: {why}");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        using (var writer = new StreamWriter(output, append: false, new UTF8Encoding(false)))
            foreach (OutboxMessage m in r.Messages.OrderBy(m => m.Seq))
                writer.WriteLine(Encoding.UTF8.GetString(m.Payload));
        string range = r.Messages.Count > 0 ? $" (seq {r.Messages.Min(m => m.Seq)}..{r.Messages.Max(m => m.Seq)})" : "";
        Console.WriteLine($"salvaged {r.Messages.Count} event(s){range} to {output}; {r.Damaged} failed their checksum and were left out");
        return r.Messages.Count > 0 || r.Unreadable is null ? ExitCodes.Ok : ExitCodes.DataLoss;
    }
}
