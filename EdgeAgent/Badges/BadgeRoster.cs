using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeAgent.Badges;

/// <summary>
/// Badge → role and department, stored only as salted hashes (HMAC-SHA256 keyed with a random per-roster salt) of
/// the badge ids: the file holds no badge id and no name. Built from a CSV by <c>edge-agent roster build</c>.
/// </summary>
public sealed class BadgeRoster
{
    public sealed record Entry(
        [property: JsonPropertyName("role")] string Role,
        [property: JsonPropertyName("department")] string? Department);

    public sealed class RosterFile
    {
        [JsonPropertyName("version")] public int Version { get; set; } = 1;
        [JsonPropertyName("salt")] public string Salt { get; set; } = "";
        [JsonPropertyName("entries")] public Dictionary<string, Entry> Entries { get; set; } = [];
    }

    private readonly byte[] _salt;
    private readonly Dictionary<string, Entry> _entries;

    private BadgeRoster(byte[] salt, Dictionary<string, Entry> entries)
    {
        _salt = salt;
        _entries = entries;
    }

    public int Count => _entries.Count;

    /// <summary>The role and department of a badge, or null for a badge not on the roster.</summary>
    public Entry? Find(string badgeId) => _entries.GetValueOrDefault(Hash(_salt, badgeId));

    public static BadgeRoster Load(string path)
    {
        RosterFile file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllText(path), RosterJsonContext.Default.RosterFile)
                ?? throw new InvalidDataException("empty");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"badge roster '{path}' is not a roster file: {e.Message}", e);
        }
        if (file.Version != 1) throw new InvalidDataException($"badge roster '{path}': version {file.Version} is not supported (expected 1)");
        byte[] salt;
        try { salt = Convert.FromBase64String(file.Salt); }
        catch (FormatException) { throw new InvalidDataException($"badge roster '{path}': salt is not base64"); }
        if (salt.Length < 16) throw new InvalidDataException($"badge roster '{path}': salt must be at least 16 bytes");
        return new BadgeRoster(salt, file.Entries);
    }

    /// <summary>
    /// Builds a roster from CSV lines with a header naming the columns <c>badge</c>, <c>role</c> and optionally
    /// <c>department</c>; other columns (a name, say) are ignored and never stored. Returns the file and the problems
    /// found (line numbers, never the badge ids).
    /// </summary>
    public static (RosterFile File, List<string> Problems) Build(IEnumerable<string> csvLines, byte[]? salt = null)
    {
        salt ??= RandomNumberGenerator.GetBytes(32);
        var file = new RosterFile { Salt = Convert.ToBase64String(salt) };
        var problems = new List<string>();
        int badgeCol = -1, roleCol = -1, deptCol = -1, lineNo = 0;
        foreach (string raw in csvLines)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(raw)) continue;
            string[] cells = raw.Split(',').Select(c => c.Trim().Trim('"').Trim()).ToArray();
            if (badgeCol < 0)
            {
                badgeCol = Array.FindIndex(cells, c => c.Equals("badge", StringComparison.OrdinalIgnoreCase));
                roleCol = Array.FindIndex(cells, c => c.Equals("role", StringComparison.OrdinalIgnoreCase));
                deptCol = Array.FindIndex(cells, c => c.Equals("department", StringComparison.OrdinalIgnoreCase));
                if (badgeCol < 0 || roleCol < 0) { problems.Add($"line {lineNo}: the header must name the columns 'badge' and 'role'"); return (file, problems); }
                continue;
            }
            if (cells.Length <= Math.Max(badgeCol, roleCol)) { problems.Add($"line {lineNo}: too few columns"); continue; }
            string badge = cells[badgeCol], role = cells[roleCol];
            if (badge.Length == 0 || !badge.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')) { problems.Add($"line {lineNo}: the badge id must be letters, digits or '-'"); continue; }
            if (role.Length is 0 or > 64) { problems.Add($"line {lineNo}: the role must be 1–64 characters"); continue; }
            string? dept = deptCol >= 0 && deptCol < cells.Length && cells[deptCol].Length > 0 ? cells[deptCol] : null;
            if (!file.Entries.TryAdd(Hash(salt, badge), new Entry(role, dept))) problems.Add($"line {lineNo}: the same badge is listed twice");
        }
        if (badgeCol < 0) problems.Add("the file is empty");
        return (file, problems);
    }

    public static string ToJson(RosterFile file) => JsonSerializer.Serialize(file, RosterJsonContext.Default.RosterFile);

    private static string Hash(byte[] salt, string badgeId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(salt, Encoding.UTF8.GetBytes(badgeId.Trim().ToUpperInvariant())));
}

[JsonSerializable(typeof(BadgeRoster.RosterFile))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class RosterJsonContext : JsonSerializerContext;
