namespace CloudSync.Storage;

/// <summary>A stream whose writes can be forced to stable storage: <see cref="Sync"/> is fsync.</summary>
public abstract class DurableStream : Stream
{
    /// <summary>Makes every write so far survive power loss (fsync).</summary>
    public abstract void Sync();
}

/// <summary>A file opened for exclusive use (no second process or instance can open it), with fsync.</summary>
public sealed class DurableFile : DurableStream
{
    private readonly FileStream _file;

    public DurableFile(string path)
    {
        // FileShare.None: two LiteDatabase instances on one file corrupt it (LiteDB #2163); this makes it impossible.
        _file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.RandomAccess);
    }

    public override void Sync() => _file.Flush(flushToDisk: true);

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => true;
    public override long Length => _file.Length;
    public override long Position { get => _file.Position; set => _file.Position = value; }
    public override void Flush() => _file.Flush();
    public override int Read(byte[] buffer, int offset, int count) => _file.Read(buffer, offset, count);
    public override long Seek(long offset, SeekOrigin origin) => _file.Seek(offset, origin);
    public override void SetLength(long value) => _file.SetLength(value);
    public override void Write(byte[] buffer, int offset, int count) => _file.Write(buffer, offset, count);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _file.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>
/// The LiteDB data file: LiteDB flushes it at a checkpoint, just before it truncates the log, and that flush must be
/// an fsync — otherwise a power cut after the truncation loses pages that were only in the log.
/// </summary>
public sealed class SyncOnFlushStream(DurableStream inner) : Stream
{
    public DurableStream Inner => inner;
    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => true;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => inner.Position = value; }
    public override void Flush() => inner.Sync();
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void SetLength(long value) => inner.SetLength(value);
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
