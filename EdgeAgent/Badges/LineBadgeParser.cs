using System.Text;

namespace EdgeAgent.Badges;

/// <summary>
/// Line-based readers: one badge id per line (CR, LF or CRLF). A line must be valid UTF-8 of 1–<see cref="MaxLength"/>
/// letters, digits or '-'; anything else is malformed and counted. An overlong line is dropped up to its end.
/// </summary>
public sealed class LineBadgeParser : IBadgeParser
{
    public const int MaxLength = 32;
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly byte[] _line = new byte[MaxLength * 4];
    private int _length;
    private bool _overlong;

    public long GarbageBytes { get; private set; }

    public void Feed(ReadOnlySpan<byte> bytes, List<BadgeFrame> found)
    {
        foreach (byte b in bytes)
        {
            if (b is (byte)'\n' or (byte)'\r')
            {
                if (_overlong) found.Add(new BadgeFrame(BadgeFrameKind.Malformed));
                else if (_length > 0) found.Add(Decode());
                _length = 0;
                _overlong = false;
                continue;
            }
            if (_overlong) { GarbageBytes++; continue; }
            if (_length == _line.Length) { _overlong = true; GarbageBytes += _length + 1; _length = 0; continue; }
            _line[_length++] = b;
        }
    }

    private BadgeFrame Decode()
    {
        string text;
        try { text = Strict.GetString(_line, 0, _length).Trim(); }
        catch (DecoderFallbackException) { GarbageBytes += _length; return new BadgeFrame(BadgeFrameKind.Malformed); }
        if (text.Length is 0 or > MaxLength || !text.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            GarbageBytes += _length;
            return new BadgeFrame(BadgeFrameKind.Malformed);
        }
        return new BadgeFrame(BadgeFrameKind.Badge, text.ToUpperInvariant());
    }
}
