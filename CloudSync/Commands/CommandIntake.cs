using System.Text.Json;
using System.Text.RegularExpressions;

namespace CloudSync.Commands;

/// <summary>What became of a command: <c>done</c>, <c>rejected</c> (malformed, unknown verb, refused) or <c>duplicate</c>.</summary>
public sealed record CommandReply(string? Id, string? Verb, string Status, string? Reason, DateTimeOffset At, JsonElement? Result = null);

/// <summary>
/// Takes operator commands arriving over MQTT (<c>&lt;prefix&gt;/&lt;site&gt;/&lt;ward&gt;/commands</c>): checks each
/// against a strict shape — a JSON object of at most <see cref="MaxBytes"/> with exactly <c>id</c> (1–64 of
/// <c>[A-Za-z0-9._-]</c>), <c>verb</c> (an allow-listed verb) and an optional <c>args</c> object, nothing else — runs
/// the verb's handler once per id (a repeated id is answered <c>duplicate</c>, not run again), and answers every
/// message, malformed or not, with a <see cref="CommandReply"/>. Never throws on input; counts what it rejected.
/// Thread-safe.
/// </summary>
public sealed partial class CommandIntake(TimeProvider time)
{
    public const int MaxBytes = 16 * 1024;
    private const int RememberedIds = 1024;
    private readonly Dictionary<string, (CommandArgs Args, Func<JsonElement, JsonElement?> Run)> _verbs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Queue<string> _seenOrder = new();
    private readonly Lock _lock = new();
    private long _accepted, _rejected;

    /// <summary>Commands run.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Commands refused: malformed, unknown verb, or their handler refused the arguments.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>
    /// The retained desired-state document from <c>…/fleet/desired</c>, delivered at every (re)subscription — so a device
    /// whose broker session was lost still learns the current desired state when it reconnects.
    /// </summary>
    public event Action<byte[]>? DesiredStateReceived;

    /// <summary>The last desired-state document received, or null.</summary>
    public byte[]? LastDesiredState { get; private set; }

    internal void ReceiveDesiredState(byte[] document)
    {
        LastDesiredState = document;
        DesiredStateReceived?.Invoke(document);
    }

    /// <summary>The reply as JSON (camelCase, absent fields left out).</summary>
    public static string ToJson(CommandReply reply) => JsonSerializer.Serialize(reply, ReplyJson);

    private static readonly JsonSerializerOptions ReplyJson = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The verbs accepted, in order.</summary>
    public IReadOnlyList<string> Verbs { get { lock (_lock) return _verbs.Keys.Order(StringComparer.Ordinal).ToList(); } }

    /// <summary>Allows a verb that takes no arguments (<c>args</c> absent or <c>{}</c>).</summary>
    public void Register(string verb, Func<JsonElement, JsonElement?> handler) => Register(verb, CommandArgs.None, handler);

    /// <summary>
    /// Allows a verb whose <c>args</c> must have <paramref name="args"/>'s shape (checked here, before the handler runs).
    /// The handler gets <c>args</c> (an empty object when absent) and returns an optional result; it refuses arguments
    /// it cannot act on by throwing <see cref="CommandRejectedException"/> with the reason.
    /// </summary>
    public void Register(string verb, CommandArgs args, Func<JsonElement, JsonElement?> handler)
    {
        if (!VerbPattern().IsMatch(verb)) throw new ArgumentException($"'{verb}' is not a valid verb", nameof(verb));
        lock (_lock) _verbs[verb] = (args, handler);
    }

    /// <summary>Handles one received message; the reply says what happened (it is never null, whatever the bytes).</summary>
    public CommandReply Handle(ReadOnlySpan<byte> message)
    {
        DateTimeOffset now = time.GetUtcNow();
        try
        {
            return HandleChecked(message, now);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Reject(null, null, $"could not be handled: {e.GetType().Name}", now);   // a bug here must still be answered
        }
    }

    private CommandReply HandleChecked(ReadOnlySpan<byte> message, DateTimeOffset now)
    {
        if (message.Length > MaxBytes) return Reject(null, null, $"command of {message.Length} bytes, more than {MaxBytes}", now);
        if (!System.Text.Unicode.Utf8.IsValid(message))
            return Reject(null, null, $"not UTF-8 (invalid byte sequence at offset {InvalidUtf8At(message)}); a command is UTF-8 JSON", now);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(message.ToArray(), new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false }); }
        catch (JsonException e) when (e.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase))
        {
            return Reject(null, null, $"a property appears twice ({e.Message.Split('.')[0]}); each may appear once", now);
        }
        catch (JsonException e) { return Reject(null, null, $"not JSON: {e.Message}", now); }
        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Reject(null, null, "a command must be a JSON object", now);
            string? id = root.TryGetProperty("id", out JsonElement i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            string? verb = root.TryGetProperty("verb", out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (id is null || !IdPattern().IsMatch(id)) return Reject(null, verb, "id: must be a string of 1-64 letters, digits, '.', '_' or '-'", now);
            foreach (JsonProperty p in root.EnumerateObject())
                if (p.Name is not ("id" or "verb" or "args")) return Reject(id, verb, $"unknown property '{Truncate(p.Name)}'", now);
            JsonElement args = default;
            if (root.TryGetProperty("args", out JsonElement a))
            {
                if (a.ValueKind != JsonValueKind.Object) return Reject(id, verb, "args: must be an object", now);
                args = a.Clone();
            }
            (CommandArgs Args, Func<JsonElement, JsonElement?> Run) handler;
            lock (_lock)
            {
                if (verb is null || !_verbs.TryGetValue(verb, out handler))
                    return Reject(id, verb is null ? null : Truncate(verb), $"verb: must be one of {string.Join(", ", _verbs.Keys.Order(StringComparer.Ordinal))}", now);
                if (handler.Args.Problem(verb, args) is { } bad) return Reject(id, verb, bad, now);
                if (!_seen.Add(id)) return new CommandReply(id, verb, "duplicate", "a command with this id was already handled", now);
                _seenOrder.Enqueue(id);
                if (_seenOrder.Count > RememberedIds) _seen.Remove(_seenOrder.Dequeue());
            }
            try
            {
                JsonElement? result = handler.Run(args.ValueKind == JsonValueKind.Undefined ? EmptyObject : args);
                Interlocked.Increment(ref _accepted);
                return new CommandReply(id, verb, "done", null, now, result);
            }
            catch (CommandRejectedException e)
            {
                return Reject(id, verb, e.Message, now);
            }
        }
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private CommandReply Reject(string? id, string? verb, string reason, DateTimeOffset now)
    {
        Interlocked.Increment(ref _rejected);
        return new CommandReply(id, verb, "rejected", reason, now);
    }

    private static int InvalidUtf8At(ReadOnlySpan<byte> message)
    {
        char[] scratch = new char[message.Length];
        System.Text.Unicode.Utf8.ToUtf16(message, scratch, out int read, out _, replaceInvalidSequences: false);
        return read;
    }

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "…";

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[a-z][a-z0-9.-]{0,31}$")]
    private static partial Regex VerbPattern();
}

/// <summary>
/// The shape of a verb's <c>args</c>: each argument's name, JSON kind and whether it is required. Anything else — an
/// unknown name, a wrong kind, a missing required one — is refused with the argument named.
/// </summary>
public sealed class CommandArgs
{
    private readonly (string Name, JsonValueKind Kind, bool Required)[] _args;

    private CommandArgs((string, JsonValueKind, bool)[] args) => _args = args;

    /// <summary>No arguments: <c>args</c> absent or <c>{}</c>.</summary>
    public static CommandArgs None { get; } = new([]);

    public static CommandArgs Of(params (string Name, JsonValueKind Kind, bool Required)[] args) => new(args);

    /// <summary>Why <paramref name="args"/> (undefined when absent) does not fit, or null.</summary>
    public string? Problem(string verb, JsonElement args)
    {
        var given = args.ValueKind == JsonValueKind.Object ? args.EnumerateObject().ToList() : [];
        foreach (JsonProperty p in given)
        {
            var known = _args.FirstOrDefault(a => a.Name == p.Name);
            if (known.Name is null)
                return _args.Length == 0 ? $"args: '{verb}' takes no arguments (got '{Short(p.Name)}')"
                    : $"args.{Short(p.Name)}: not an argument of '{verb}' (it takes {string.Join(", ", _args.Select(a => a.Name))})";
            if (p.Value.ValueKind != known.Kind && !(known.Kind == JsonValueKind.True && p.Value.ValueKind == JsonValueKind.False))
                return $"args.{p.Name}: must be {Kind(known.Kind)}, got {Kind(p.Value.ValueKind)}";
        }
        foreach (var a in _args.Where(a => a.Required))
            if (!given.Any(p => p.Name == a.Name)) return $"args.{a.Name}: required ({Kind(a.Kind)})";
        return null;
    }

    private static string Short(string s) => s.Length <= 64 ? s : s[..64] + "…";

    private static string Kind(JsonValueKind k) => k switch
    {
        JsonValueKind.String => "a string", JsonValueKind.Number => "a number", JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Object => "an object", JsonValueKind.Array => "an array", _ => "null",
    };
}

/// <summary>A handler refuses the command's arguments; the message is the reason sent back.</summary>
public sealed class CommandRejectedException(string reason) : Exception(reason);
