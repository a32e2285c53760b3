using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;

namespace EdgeAgent.Capture;

/// <summary>
/// RTSP/HTTP streams decoded by an <c>ffmpeg</c> child process that writes raw BGR frames to its stdout
/// (OpenCvSharp's bundled FFmpeg has no RTSP demuxer). The frame size is probed with <c>ffprobe</c> and
/// pinned with a scaler, so a resolution change mid-stream cannot tear the byte stream. Decoder error lines
/// on ffmpeg's stderr are counted.
/// </summary>
public sealed class FfmpegFrameSource : IFrameSource
{
    private readonly Process _process;
    private readonly Stream _stdout;
    private readonly int _width, _height;
    private long _decodeErrors;
    private volatile bool _aborted;

    private FfmpegFrameSource(Process process, int width, int height, double fps)
    {
        _process = process;
        _stdout = process.StandardOutput.BaseStream;
        _width = width;
        _height = height;
        FrameRate = fps;
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                Interlocked.Increment(ref _decodeErrors);
                LastError = e.Data;
            }
        };
        process.BeginErrorReadLine();
    }

    public double FrameRate { get; }
    public TimeSpan? MediaTime => null;
    public long DecodeErrors => Interlocked.Read(ref _decodeErrors);
    public string? LastError { get; private set; }

    public static FfmpegFrameSource Open(CameraOptions camera, CaptureOptions options, CancellationToken ct)
    {
        string ffprobe = Path.Combine(Path.GetDirectoryName(options.FfmpegPath) ?? "", "ffprobe");
        if (!Path.IsPathRooted(options.FfmpegPath)) ffprobe = "ffprobe";
        List<string> input = InputArguments(camera.Source, options.OpenTimeout);

        var probeArgs = new List<string> { "-v", "error" };
        probeArgs.AddRange(input);
        probeArgs.AddRange(["-select_streams", "v:0", "-show_entries", "stream=width,height,avg_frame_rate", "-of", "csv=p=0:s=x"]);
        string probe = RunToEnd(ffprobe, probeArgs, options.OpenTimeout, camera, ct);
        string[] parts = probe.Trim().Split('\n')[0].Split('x');
        if (parts.Length < 2 || !int.TryParse(parts[0], out int w) || !int.TryParse(parts[1], out int h) || w <= 0 || h <= 0)
            throw new CaptureException($"camera '{camera.Id}': {camera.SafeSource} has no decodable video stream (ffprobe said '{CameraOptions.Redact(probe.Trim())}')");
        double fps = camera.FrameRate > 0 ? camera.FrameRate : ParseRate(parts.Length > 2 ? parts[2] : "");

        var args = new List<string> { "-nostdin", "-hide_banner", "-loglevel", "error", "-fflags", "+discardcorrupt+nobuffer", "-flags", "low_delay" };
        args.AddRange(input);
        // passthrough: one output frame per decoded frame (no duplicates invented to keep a constant rate).
        args.AddRange(["-an", "-sn", "-dn", "-vf", $"scale={w}:{h}", "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1"]);
        return new FfmpegFrameSource(Start(options.FfmpegPath, args, camera), w, h, fps);
    }

    public unsafe ReadResult Read(out Mat? frame)
    {
        frame = null;
        if (_aborted) return ReadResult.Failed;
        var mat = new Mat(_height, _width, MatType.CV_8UC3);
        int size = _width * _height * 3;
        var span = new Span<byte>((void*)mat.Data, size);
        int filled = 0;
        try
        {
            while (filled < size)
            {
                int n = _stdout.Read(span[filled..]);
                if (n == 0) break;
                filled += n;
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            filled = -1;
        }
        if (filled != size)
        {
            mat.Dispose();
            return ReadResult.Failed;
        }
        frame = mat;
        return ReadResult.Frame;
    }

    public void Abort()
    {
        _aborted = true;
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }
    }

    public void Dispose()
    {
        Abort();
        try { _process.WaitForExit(2000); } catch (InvalidOperationException) { }
        _process.Dispose();
    }

    private static List<string> InputArguments(string source, TimeSpan openTimeout)
    {
        var a = new List<string>();
        long micros = (long)openTimeout.TotalMicroseconds;
        if (source.StartsWith("rtsp", StringComparison.OrdinalIgnoreCase))
            a.AddRange(["-rtsp_transport", "tcp", "-timeout", micros.ToString(CultureInfo.InvariantCulture)]);
        else if (source.StartsWith("http", StringComparison.OrdinalIgnoreCase))
            a.AddRange(["-rw_timeout", micros.ToString(CultureInfo.InvariantCulture)]);
        a.AddRange(["-i", source]);
        return a;
    }

    private static double ParseRate(string rate)
    {
        string[] p = rate.Trim().Split('/');
        if (p.Length == 2 && double.TryParse(p[0], CultureInfo.InvariantCulture, out double n) && double.TryParse(p[1], CultureInfo.InvariantCulture, out double d) && d > 0)
            return n / d;
        return 0;
    }

    private static Process Start(string exe, List<string> args, CameraOptions camera)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        try
        {
            return Process.Start(psi) ?? throw new CaptureException($"camera '{camera.Id}': could not start {exe}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CaptureException($"camera '{camera.Id}': cannot run '{exe}' ({e.Message}); install ffmpeg", e);
        }
    }

    private static string RunToEnd(string exe, List<string> args, TimeSpan timeout, CameraOptions camera, CancellationToken ct)
    {
        using (Process p = Start(exe, args, camera))
        {
            Task<string> stdout = p.StandardOutput.ReadToEndAsync(ct);
            Task<string> stderr = p.StandardError.ReadToEndAsync(ct);
            if (!p.WaitForExit(timeout + TimeSpan.FromSeconds(2)))
            {
                try { p.Kill(true); } catch (InvalidOperationException) { }
                throw new CaptureException($"camera '{camera.Id}': {camera.SafeSource} did not answer within {timeout.TotalSeconds:0} s");
            }
            string err = stderr.GetAwaiter().GetResult().Trim();
            if (p.ExitCode != 0)
                throw new CaptureException($"camera '{camera.Id}': cannot open {camera.SafeSource}: {(err.Length > 0 ? CameraOptions.Redact(err.Split('\n')[^1]) : $"ffprobe exit code {p.ExitCode}")}");
            return stdout.GetAwaiter().GetResult();
        }
    }
}
