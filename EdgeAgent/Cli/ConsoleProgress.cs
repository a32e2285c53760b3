using System.Diagnostics;

namespace EdgeAgent.Cli;

/// <summary>A one-line progress bar on stderr (a line every 10 % when stderr is not a terminal).</summary>
public sealed class ConsoleProgress(long total, bool quiet)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDraw;
    private int _lastDecile = -1;

    public void Report(long done, int tracks)
    {
        if (quiet) return;
        double fps = done / Math.Max(_clock.Elapsed.TotalSeconds, 1e-6);
        if (Console.IsErrorRedirected)
        {
            int decile = total > 0 ? (int)(done * 10 / total) : (int)(done / 100);
            if (decile == _lastDecile) return;
            _lastDecile = decile;
            Console.Error.WriteLine(total > 0 ? $"  {done}/{total} frames  {fps:0.0} frames/s" : $"  {done} frames  {fps:0.0} frames/s");
            return;
        }
        long now = _clock.ElapsedMilliseconds;
        if (now - _lastDraw < 100 && done != total) return;
        _lastDraw = now;
        const int Width = 30;
        int filled = total > 0 ? (int)Math.Min(Width, done * Width / total) : 0;
        string bar = new string('#', filled) + new string('.', Width - filled);
        string count = total > 0 ? $"{done}/{total}" : $"{done}";
        Console.Error.Write($"\r  [{bar}] {count} frames  {fps,6:0.0} frames/s  {tracks,3} tracks ");
    }

    public void Done()
    {
        if (!quiet && !Console.IsErrorRedirected) Console.Error.WriteLine();
    }
}
