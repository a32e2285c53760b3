using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CloudSync.Fleet;

/// <summary>
/// The bytes a fleet manifest's signature covers: the JSON with object keys in ordinal order, no insignificant
/// whitespace, strings escaped the one way System.Text.Json's default encoder does, numbers as written. Two documents
/// that mean the same give the same bytes, whatever their layout, so a manifest can be re-indented, and a key moved,
/// without breaking its signature — and any change of meaning does break it.
/// </summary>
public static class CanonicalJson
{
    public static byte[] Bytes(JsonNode? node)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.Default, Indented = false }))
            Write(writer, node);
        return buffer.ToArray();
    }

    public static string String(JsonNode? node) => Encoding.UTF8.GetString(Bytes(node));

    private static void Write(Utf8JsonWriter w, JsonNode? node)
    {
        switch (node)
        {
            case null:
                w.WriteNullValue();
                break;
            case JsonObject o:
                w.WriteStartObject();
                foreach (var (key, value) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    w.WritePropertyName(key);
                    Write(w, value);
                }
                w.WriteEndObject();
                break;
            case JsonArray a:
                w.WriteStartArray();
                foreach (JsonNode? item in a) Write(w, item);
                w.WriteEndArray();
                break;
            default:
                node.WriteTo(w);
                break;
        }
    }
}
