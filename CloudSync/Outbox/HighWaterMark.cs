using System.Buffers.Binary;
using System.IO.Hashing;
using CloudSync.Storage;

namespace CloudSync.Outbox;

/// <summary>
/// The outbox's sequence numbers, remembered outside the outbox's own files (<c>outbox.hwm</c>), so that losing or
/// damaging <c>outbox.log</c> or <c>outbox.db</c> is seen, counted, and never makes a <c>seq</c> name two events.
/// Three numbers: <see cref="Reserved"/> — no seq above it was ever handed out (raised in blocks, before the commit that
/// uses it); <see cref="Committed"/> — the last seq known accepted (written after each commit); <see cref="Acknowledged"/>
/// — every destination had everything up to it then. Each write goes to the older of two checksummed slots and is
/// fsynced, so a torn write leaves the other slot — at worst one step behind, which <see cref="Reserved"/> covers.
/// </summary>
public sealed class HighWaterMark : IDisposable
{
    public const long ReserveBlock = 1024;
    private const int SlotSize = 512, RecordSize = 40;
    private const uint Magic = 0x4557484D;   // "MHWE"
    private readonly DurableStream _file;
    private readonly byte[] _record = new byte[RecordSize];
    private long _generation;

    public HighWaterMark(DurableStream file)
    {
        _file = file;
        Found = false;
        for (int slot = 0; slot < 2; slot++)
        {
            if (_file.Length < (slot * SlotSize) + RecordSize) continue;
            _file.Position = slot * SlotSize;
            _file.ReadExactly(_record);
            if (BinaryPrimitives.ReadUInt32LittleEndian(_record.AsSpan(36)) != Magic || Crc(_record) != BinaryPrimitives.ReadUInt32LittleEndian(_record.AsSpan(32))) continue;
            long generation = BinaryPrimitives.ReadInt64LittleEndian(_record);
            if (Found && generation <= _generation) continue;
            Found = true;
            _generation = generation;
            Committed = BinaryPrimitives.ReadInt64LittleEndian(_record.AsSpan(8));
            Reserved = BinaryPrimitives.ReadInt64LittleEndian(_record.AsSpan(16));
            Acknowledged = BinaryPrimitives.ReadInt64LittleEndian(_record.AsSpan(24));
        }
        Damaged = !Found && _file.Length > 0;
    }

    /// <summary>A valid record was read (false on first start, or when the file was lost or damaged).</summary>
    public bool Found { get; }

    /// <summary>The file was there but neither slot was valid.</summary>
    public bool Damaged { get; }

    public long Committed { get; private set; }
    public long Reserved { get; private set; }
    public long Acknowledged { get; private set; }

    /// <summary>Before a commit that hands out numbers up to <paramref name="seq"/>: raises the reservation if needed.</summary>
    public void Reserve(long seq)
    {
        if (seq <= Reserved) return;
        Reserved = seq + ReserveBlock;
        Write();
    }

    /// <summary>After a commit: <paramref name="seq"/> is accepted; every destination had up to <paramref name="acknowledged"/>.</summary>
    public void Commit(long seq, long acknowledged)
    {
        Committed = seq;
        Acknowledged = acknowledged;
        Reserved = Math.Max(Reserved, seq);
        Write();
    }

    /// <summary>Sets all three at once (after a recovery, or when the outbox is ahead of this file).</summary>
    public void Reset(long committed, long reserved, long acknowledged)
    {
        Committed = committed;
        Reserved = Math.Max(reserved, committed);
        Acknowledged = acknowledged;
        Write();
    }

    private void Write()
    {
        _generation++;
        BinaryPrimitives.WriteInt64LittleEndian(_record, _generation);
        BinaryPrimitives.WriteInt64LittleEndian(_record.AsSpan(8), Committed);
        BinaryPrimitives.WriteInt64LittleEndian(_record.AsSpan(16), Reserved);
        BinaryPrimitives.WriteInt64LittleEndian(_record.AsSpan(24), Acknowledged);
        BinaryPrimitives.WriteUInt32LittleEndian(_record.AsSpan(32), Crc(_record));
        BinaryPrimitives.WriteUInt32LittleEndian(_record.AsSpan(36), Magic);
        _file.Position = (_generation % 2) * SlotSize;
        _file.Write(_record);
        _file.Sync();
    }

    private static uint Crc(byte[] record) => Crc32.HashToUInt32(record.AsSpan(0, 32));

    public void Dispose() => _file.Dispose();
}
