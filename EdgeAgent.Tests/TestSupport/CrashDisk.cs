using CloudSync.Storage;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// A disk that remembers every write, truncation and fsync of its files, so that for any moment of a workload the
/// test can build what a power cut at that moment could leave behind: only what was fsynced; plus an in-order part
/// of what was not; plus a random subset of it (the disk reordered writes); plus a torn write (half a page landed).
/// </summary>
public sealed class CrashDisk
{
    public enum Kind { Write, SetLength, Sync }

    public sealed record Op(int File, Kind Kind, long Position, byte[]? Data, long Length);

    public enum Mode { UnsyncedLost, InOrderCut, Reordered, Torn }

    public List<Op> History { get; } = [];

    public SimFile Open(int file) => new(this, file, []);

    /// <summary>The contents of <paramref name="file"/> after a power cut just before operation <paramref name="cut"/>.</summary>
    public byte[] ImageAt(int file, int cut, Mode mode, Random random) => ImageAt(file, cut, mode, random, null);

    public byte[] ImageAt(int file, int cut, Mode mode, Random random, List<string>? trace)
    {
        _trace = trace;
        var ops = History.Take(cut).Where(o => o.File == file).ToList();
        int lastSync = ops.FindLastIndex(o => o.Kind == Kind.Sync);
        var image = new MemoryStream();
        foreach (Op o in ops.Take(lastSync + 1)) Apply(image, o, null);
        var pending = ops.Skip(lastSync + 1).Where(o => o.Kind != Kind.Sync).ToList();
        switch (mode)
        {
            case Mode.InOrderCut:
                foreach (Op o in pending.Take(random.Next(pending.Count + 1))) Apply(image, o, null);
                break;
            case Mode.Reordered:
                foreach (Op o in pending.Where(_ => random.Next(2) == 0).OrderBy(_ => random.Next())) Apply(image, o, null);
                break;
            case Mode.Torn when pending.Count > 0:
                int k = random.Next(pending.Count);
                foreach (Op o in pending.Take(k)) Apply(image, o, null);
                Op torn = pending[k];
                Apply(image, torn, torn.Kind == Kind.Write ? random.Next(1, Math.Max(2, torn.Data!.Length)) : null);
                break;
        }
        return image.ToArray();
    }

    private List<string>? _trace;

    private void Apply(MemoryStream image, Op o, int? bytes)
    {
        _trace?.Add($"{o.Kind} pos {o.Position} len {o.Data?.Length ?? o.Length}{(bytes is { } b ? $" torn at {b}" : "")}");
        switch (o.Kind)
        {
            case Kind.Write:
                if (image.Length < o.Position) image.SetLength(o.Position);
                image.Position = o.Position;
                image.Write(o.Data!, 0, bytes ?? o.Data!.Length);
                break;
            case Kind.SetLength:
                image.SetLength(o.Length);
                break;
        }
    }

    /// <summary>A file on the crash disk; with <c>disk == null</c> a plain in-memory file opened from an image.</summary>
    public sealed class SimFile(CrashDisk? disk, int file, byte[] initial) : DurableStream
    {
        private readonly MemoryStream _data = Load(initial);

        public static SimFile FromImage(byte[] image) => new(null, -1, image);

        private static MemoryStream Load(byte[] initial)
        {
            var m = new MemoryStream();
            m.Write(initial);
            m.Position = 0;
            return m;
        }

        public override void Sync() => disk?.History.Add(new Op(file, Kind.Sync, 0, null, 0));
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => true;
        public override long Length => _data.Length;
        public override long Position { get => _data.Position; set => _data.Position = value; }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _data.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => _data.Seek(offset, origin);

        public override void SetLength(long value)
        {
            disk?.History.Add(new Op(file, Kind.SetLength, 0, null, value));
            _data.SetLength(value);
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            disk?.History.Add(new Op(file, Kind.Write, _data.Position, buffer.AsSpan(offset, count).ToArray(), 0));
            _data.Write(buffer, offset, count);
        }
    }
}
