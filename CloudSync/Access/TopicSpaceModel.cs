using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CloudSync.Access;

/// <summary>
/// The MQTT permission model of a hospital (infra/topic-spaces.json, embedded): client groups by role, topic spaces of
/// topic templates, and which group may publish or subscribe to which space. main.bicep deploys it to Event Grid;
/// <see cref="MosquittoAcl"/> writes the same model for a mosquitto broker. Templates hold <c>{prefix}</c>,
/// <c>{site}</c> and <c>{ward}</c>: the deployment's prefix and the connecting client's own site and ward.
/// </summary>
public sealed record TopicSpaceModel(
    [property: JsonPropertyName("clientGroups")] IReadOnlyList<ClientGroup> ClientGroups,
    [property: JsonPropertyName("topicSpaces")] IReadOnlyList<TopicSpace> TopicSpaces,
    [property: JsonPropertyName("permissions")] IReadOnlyList<PermissionBinding> Permissions)
{
    /// <summary>The model built in (infra/topic-spaces.json itself, embedded).</summary>
    public static TopicSpaceModel Default { get; } = Load(typeof(TopicSpaceModel).Assembly.GetManifestResourceStream("topic-spaces.json")
        ?? throw new InvalidOperationException("topic-spaces.json is not embedded in CloudSync"));

    public static TopicSpaceModel Load(Stream json) =>
        JsonSerializer.Deserialize<TopicSpaceModel>(json) ?? throw new JsonException("the topic-space model is empty");

    /// <summary>The topic filters a client of <paramref name="role"/> may use with <paramref name="permission"/>, placeholders filled.</summary>
    public IEnumerable<string> Topics(string role, string permission, string prefix, string site, string? ward)
    {
        foreach (PermissionBinding p in Permissions.Where(p => p.Permission == permission))
        {
            if (ClientGroups.FirstOrDefault(g => g.Name == p.Group) is not { } group || group.Role != role) continue;
            TopicSpace space = TopicSpaces.First(s => s.Name == p.TopicSpace);
            foreach (string t in space.Templates)
            {
                if (t.Contains("{ward}", StringComparison.Ordinal) && ward is null) continue;   // a space for wards; this client has none
                yield return t.Replace("{prefix}", prefix, StringComparison.Ordinal).Replace("{site}", site, StringComparison.Ordinal)
                              .Replace("{ward}", ward ?? "", StringComparison.Ordinal);
            }
        }
    }
}

public sealed record ClientGroup([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("role")] string Role,
                                 [property: JsonPropertyName("description")] string Description);

public sealed record TopicSpace([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("description")] string Description,
                                [property: JsonPropertyName("templates")] IReadOnlyList<string> Templates);

/// <summary><see cref="Permission"/> is <c>Publisher</c> or <c>Subscriber</c>, as in Event Grid.</summary>
public sealed record PermissionBinding([property: JsonPropertyName("group")] string Group, [property: JsonPropertyName("topicSpace")] string TopicSpace,
                                       [property: JsonPropertyName("permission")] string Permission)
{
    public const string Publisher = "Publisher", Subscriber = "Subscriber";
}
