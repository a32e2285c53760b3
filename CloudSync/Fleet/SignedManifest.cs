using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CloudSync.Fleet;

/// <summary>
/// A desired state as it travels: <c>{"manifest": {...}, "signature": {"alg": "ES256", "keyId": ..., "value": ...}}</c>.
/// The signature is ECDSA P-256 with SHA-256 (IEEE P1363 r‖s, base64) over <see cref="CanonicalJson"/> of the manifest;
/// <c>keyId</c> is the first 16 hex digits of the SHA-256 of the signer's public key (SubjectPublicKeyInfo), so a
/// device can trust several keys at once while the fleet rotates them.
/// </summary>
public static partial class SignedManifest
{
    public static string KeyIdOf(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];

    public static string Sign(JsonObject manifest, ECDsa privateKey)
    {
        byte[] signature = privateKey.SignData(CanonicalJson.Bytes(manifest), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var envelope = new JsonObject
        {
            ["manifest"] = JsonNode.Parse(manifest.ToJsonString()),
            ["signature"] = new JsonObject { ["alg"] = "ES256", ["keyId"] = KeyIdOf(privateKey), ["value"] = Convert.ToBase64String(signature) },
        };
        return envelope.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The trusted public keys in a PEM file (one or more <c>PUBLIC KEY</c> blocks), by key id.</summary>
    public static IReadOnlyDictionary<string, ECDsa> LoadTrustedKeys(string pemFile)
    {
        var keys = new Dictionary<string, ECDsa>(StringComparer.Ordinal);
        foreach (Match m in PemBlock().Matches(File.ReadAllText(pemFile)))
        {
            var key = ECDsa.Create();
            key.ImportFromPem(m.Value);
            if (key.KeySize != 256) throw new CryptographicException($"{pemFile}: only P-256 keys are trusted");
            keys[KeyIdOf(key)] = key;
        }
        if (keys.Count == 0) throw new CryptographicException($"{pemFile}: no PUBLIC KEY block");
        return keys;
    }

    /// <summary>Checks size, shape and signature; returns the manifest, or throws <see cref="FleetRefusal"/> with the reason.</summary>
    public static JsonObject Verify(ReadOnlySpan<byte> envelope, IReadOnlyDictionary<string, ECDsa> trusted, int maxBytes)
    {
        if (envelope.Length > maxBytes) throw new FleetRefusal($"manifest of {envelope.Length} bytes, more than {maxBytes}");
        JsonObject doc;
        try { doc = JsonNode.Parse(envelope, documentOptions: new JsonDocumentOptions { MaxDepth = 16 }) as JsonObject ?? throw new FleetRefusal("not a JSON object"); }
        catch (JsonException e) { throw new FleetRefusal($"not JSON: {e.Message}"); }
        if (doc["manifest"] is not JsonObject manifest) throw new FleetRefusal("manifest: required, an object");
        if (doc["signature"] is not JsonObject sig) throw new FleetRefusal("unsigned: the manifest carries no signature");
        if (sig["alg"]?.GetValue<string>() != "ES256") throw new FleetRefusal("signature.alg: only ES256 is accepted");
        string keyId = sig["keyId"]?.GetValue<string>() ?? "";
        if (!trusted.TryGetValue(keyId, out ECDsa? key)) throw new FleetRefusal($"signed with key '{keyId}', which this device does not trust");
        byte[] value;
        try { value = Convert.FromBase64String(sig["value"]?.GetValue<string>() ?? ""); }
        catch (FormatException) { throw new FleetRefusal("signature.value: not base64"); }
        if (!key.VerifyData(CanonicalJson.Bytes(manifest), value, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            throw new FleetRefusal($"the signature does not verify with key '{keyId}' (altered or forged)");
        return manifest;
    }

    [GeneratedRegex("-----BEGIN PUBLIC KEY-----[A-Za-z0-9+/=\\s]+-----END PUBLIC KEY-----")]
    private static partial Regex PemBlock();
}
