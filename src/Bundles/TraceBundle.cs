using System.Collections.Immutable;
using System.Text;

namespace Factory.Bundles;

/// <summary>
/// A run as one replayable, diffable unit: its manifest, its canonical blueprint, its ordered journal and
/// every artifact's content. <see cref="TraceBundleFile"/> reads and writes it as a zip.
/// </summary>
/// <param name="Manifest">What the run was and produced.</param>
/// <param name="BlueprintJson">The blueprint's canonical JSON.</param>
/// <param name="Events">The journal, one JSON object per event in sequence order (the shape of <c>trace.jsonl</c>).</param>
/// <param name="Artifacts">Each artifact's content by path.</param>
/// <param name="BaselineJson">The canonical JSON of the blueprint the breaking-change gate compared with, or empty.</param>
public sealed record TraceBundle(
    BundleManifest Manifest,
    string BlueprintJson,
    ImmutableArray<string> Events,
    ImmutableSortedDictionary<string, byte[]> Artifacts,
    string BaselineJson = "")
{
    /// <summary>The manifest's entry name.</summary>
    public const string ManifestEntry = "manifest.json";

    /// <summary>The canonical blueprint's entry name.</summary>
    public const string BlueprintEntry = "blueprint.json";

    /// <summary>The baseline blueprint's entry name (present when the manifest names a baseline).</summary>
    public const string BaselineEntry = "baseline.json";

    /// <summary>The journal's entry name.</summary>
    public const string EventsEntry = "events.jsonl";

    /// <summary>The folder of artifact entries.</summary>
    public const string ArtifactsFolder = "artifacts/";

    /// <summary>A finished run's bundle.</summary>
    /// <param name="run">The run's final snapshot.</param>
    /// <param name="blueprintJson">The canonical JSON it executed.</param>
    /// <param name="events">Its journal, serialized as <see cref="TraceEventJson.Serialize"/> does.</param>
    /// <param name="contents">Each artifact's content.</param>
    /// <param name="baselineJson">The canonical JSON of the run's baseline blueprint, or empty when it had none.</param>
    public static TraceBundle Create(RunSnapshot run, string blueprintJson, IEnumerable<string> events, IReadOnlyDictionary<string, byte[]> contents, string baselineJson = "") =>
        new(BundleManifest.From(run), blueprintJson, [.. events], contents.ToImmutableSortedDictionary(StringComparer.Ordinal), baselineJson);

    /// <summary>An artifact's content as text, or null when it is not UTF-8 text (it holds a NUL or invalid bytes).</summary>
    public static string? AsText(byte[] content)
    {
        if (content.AsSpan().Contains((byte)0))
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(content);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
