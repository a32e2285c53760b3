namespace EdgeAgent.Badges;

/// <summary>
/// RDM6300-style 125 kHz readers (9600 8N1): <c>0x02</c>, 10 ASCII hex digits (version byte + 4-byte tag), 2 ASCII hex
/// digits of checksum (XOR of the 5 data bytes), <c>0x03</c>. Frames may arrive split across reads and between noise.
/// A start byte inside a frame starts a new frame (the cut one is malformed).
/// </summary>
public sealed class Rdm6300Parser : IBadgeParser
{
    private const byte Stx = 0x02, Etx = 0x03;
    private const int Digits = 12;
    private readonly byte[] _frame = new byte[Digits];
    private int _length = -1;   // -1: waiting for STX

    public long GarbageBytes { get; private set; }

    public void Feed(ReadOnlySpan<byte> bytes, List<BadgeFrame> found)
    {
        foreach (byte b in bytes)
        {
            if (b == Stx)
            {
                if (_length >= 0) found.Add(new BadgeFrame(BadgeFrameKind.Malformed));
                _length = 0;
                continue;
            }
            if (_length < 0) { GarbageBytes++; continue; }
            if (_length < Digits)
            {
                if (!IsHex(b)) { found.Add(new BadgeFrame(BadgeFrameKind.Malformed)); _length = -1; GarbageBytes++; continue; }
                _frame[_length++] = b;
                continue;
            }
            // Twelve digits read: this byte must end the frame.
            found.Add(b == Etx ? Check() : new BadgeFrame(BadgeFrameKind.Malformed));
            if (b != Etx) GarbageBytes++;
            _length = -1;
        }
    }

    private BadgeFrame Check()
    {
        int xor = 0;
        for (int i = 0; i < 10; i += 2) xor ^= Hex(_frame[i]) << 4 | Hex(_frame[i + 1]);
        int checksum = Hex(_frame[10]) << 4 | Hex(_frame[11]);
        if (xor != checksum) return new BadgeFrame(BadgeFrameKind.BadChecksum);
        return new BadgeFrame(BadgeFrameKind.Badge, System.Text.Encoding.ASCII.GetString(_frame, 0, 10).ToUpperInvariant());
    }

    private static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'A' and <= (byte)'F' or >= (byte)'a' and <= (byte)'f';

    private static int Hex(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    /// <summary>The frame a reader sends for a badge id of 10 hex digits (used by tests and the bench).</summary>
    public static byte[] Encode(string badgeId, bool corruptChecksum = false)
    {
        if (badgeId.Length != 10 || !badgeId.All(c => Uri.IsHexDigit(c))) throw new ArgumentException("an RDM6300 id is 10 hex digits", nameof(badgeId));
        int xor = 0;
        for (int i = 0; i < 10; i += 2) xor ^= Convert.ToInt32(badgeId.Substring(i, 2), 16);
        if (corruptChecksum) xor ^= 0x5A;
        return [Stx, .. System.Text.Encoding.ASCII.GetBytes(badgeId.ToUpperInvariant() + xor.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)), Etx];
    }
}
