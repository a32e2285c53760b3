using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace CloudSync.Storage;

/// <summary>
/// LiteDB's write-ahead log made durable. LiteDB 5.0.21 writes its log in whole 8 KiB pages, marks the last page of a
/// commit "confirmed" (byte 18), never flushes the log at commit, and carries no checksum — so after a power cut it can
/// replay a half-written or reordered transaction or lose an acknowledged one. Here every page is stored as a frame
/// <c>[page 8192][salt 8][CRC-32(page + salt + frame index) 4][magic 4]</c>; the file is fsynced once, right after a
/// confirmed page is written (that is the commit point); on open only the longest prefix of valid frames with one
/// salt is kept and the rest is cut off (and the cut fsynced); a truncation to zero (checkpoint) is fsynced before the
/// next frame is written and starts a new random salt, so frames left over from before can never validate. LiteDB sees
/// a plain stream of pages.
/// </summary>
public sealed class FramedLogStream : Stream
{
    public const int PageSize = 8192;
    public const int ConfirmedFlagOffset = 18;
    private const int TrailerSize = 16;
    private const int FrameSize = PageSize + TrailerSize;
    private const uint Magic = 0x45544C47;   // "ETLG"

    private readonly DurableStream _file;
    private readonly byte[] _frame = new byte[FrameSize];
    private long _salt;
    private long _length;   // logical bytes (whole pages)
    private long _position;

    public FramedLogStream(DurableStream file)
    {
        _file = file;
        long frames = ValidPrefix(out _salt);
        if (_file.Length != frames * FrameSize)
        {
            _file.SetLength(frames * FrameSize);   // drop a torn or stale tail for good
            _file.Sync();
            DroppedTailFrames = true;
        }
        if (frames == 0) _salt = NewSalt();
        _length = frames * PageSize;
    }

    /// <summary>True when opening found and removed frames that were not part of the valid log (a crash mid-write).</summary>
    public bool DroppedTailFrames { get; }

    /// <summary>Commits made durable by this stream (fsyncs after a confirmed page).</summary>
    public long Syncs { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _position; set => _position = value; }

    public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => _length + offset,
    };

    public override int Read(byte[] buffer, int offset, int count)
    {
        int total = 0;
        while (count > 0 && _position < _length)
        {
            long page = _position / PageSize;
            int within = (int)(_position % PageSize);
            int n = (int)Math.Min(Math.Min(count, PageSize - within), _length - _position);
            _file.Position = (page * FrameSize) + within;
            _file.ReadExactly(buffer, offset, n);
            _position += n;
            offset += n;
            count -= n;
            total += n;
        }
        return total;
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        if (_position % PageSize != 0 || count % PageSize != 0)
            throw new NotSupportedException($"the framed log takes whole {PageSize}-byte pages at page boundaries (position {_position}, {count} bytes): has LiteDB changed its log format?");
        for (int done = 0; done < count; done += PageSize)
        {
            long index = _position / PageSize;
            if (index > _length / PageSize)
                throw new NotSupportedException($"the framed log is written in order; page {index} after {_length / PageSize} pages");
            Array.Copy(buffer, offset + done, _frame, 0, PageSize);
            BinaryPrimitives.WriteInt64LittleEndian(_frame.AsSpan(PageSize), _salt);
            BinaryPrimitives.WriteUInt32LittleEndian(_frame.AsSpan(PageSize + 8), Checksum(_frame, index));
            BinaryPrimitives.WriteUInt32LittleEndian(_frame.AsSpan(PageSize + 12), Magic);
            _file.Position = index * FrameSize;
            _file.Write(_frame, 0, FrameSize);
            _position += PageSize;
            _length = Math.Max(_length, _position);
            if (buffer[offset + done + ConfirmedFlagOffset] != 0)
            {
                _file.Sync();   // the commit point: everything up to this confirmed page survives power loss
                Syncs++;
            }
        }
    }

    public override void SetLength(long value)
    {
        if (value != 0) throw new NotSupportedException($"LiteDB only ever truncates its log to 0 (asked for {value}): has LiteDB changed?");
        // The truncation must be durable before any new frame is written: otherwise a power cut could keep the new
        // frames at the start and bring back old frames after them — and LiteDB would replay a stale prefix of the old
        // log over the checkpointed data file (the crash simulator found exactly that: an empty outbox).
        _file.SetLength(0);
        _file.Sync();
        _salt = NewSalt();
        _length = 0;
        _position = 0;
    }

    public override void Flush() { }   // durability is decided per commit in Write

    private long ValidPrefix(out long salt)
    {
        salt = 0;
        long frames = _file.Length / FrameSize;
        for (long i = 0; i < frames; i++)
        {
            _file.Position = i * FrameSize;
            _file.ReadExactly(_frame, 0, FrameSize);
            long frameSalt = BinaryPrimitives.ReadInt64LittleEndian(_frame.AsSpan(PageSize));
            if (BinaryPrimitives.ReadUInt32LittleEndian(_frame.AsSpan(PageSize + 12)) != Magic
                || (i > 0 && frameSalt != salt)
                || BinaryPrimitives.ReadUInt32LittleEndian(_frame.AsSpan(PageSize + 8)) != Checksum(_frame, i))
                return i;
            if (i == 0) salt = frameSalt;
        }
        return frames;
    }

    private static uint Checksum(byte[] frame, long index)
    {
        var crc = new Crc32();
        crc.Append(frame.AsSpan(0, PageSize + 8));
        Span<byte> idx = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(idx, index);
        crc.Append(idx);
        return crc.GetCurrentHashAsUInt32();
    }

    private static long NewSalt() => BinaryPrimitives.ReadInt64LittleEndian(RandomNumberGenerator.GetBytes(8));

    protected override void Dispose(bool disposing)
    {
        if (disposing) _file.Dispose();
        base.Dispose(disposing);
    }
}
