using System.Collections.Immutable;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Factory.Bundles;

/// <summary>
/// Reads and writes trace bundles as zip files. Writing is deterministic: entries in a fixed order
/// (manifest, blueprint, events, then artifacts by path), each with the same timestamp, so one bundle
/// always has the same bytes. Reading checks every entry against the manifest.
/// </summary>
public static class TraceBundleFile
{
    /// <summary>The timestamp of every entry (the earliest a zip can hold).</summary>
    private static readonly DateTimeOffset EntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The largest entry a bundle may hold.</summary>
    private const long MaxEntryBytes = 256L * 1024 * 1024;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes <paramref name="bundle"/> to <paramref name="path"/> (replacing it), through a temporary file.</summary>
    public static async Task WriteAsync(string path, TraceBundle bundle, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = $"{full}.{Environment.ProcessId}.tmp";
        await using (var file = File.Create(temporary))
        {
            await WriteAsync(file, bundle, cancellationToken);
        }

        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>Writes <paramref name="bundle"/> as a zip to <paramref name="stream"/>.</summary>
    public static async Task WriteAsync(Stream stream, TraceBundle bundle, CancellationToken cancellationToken)
    {
        await using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true, Utf8);
        await AddAsync(zip, TraceBundle.ManifestEntry, Utf8.GetBytes(JsonSerializer.Serialize(bundle.Manifest, BundleManifest.Json) + "\n"), cancellationToken);
        await AddAsync(zip, TraceBundle.BlueprintEntry, Utf8.GetBytes(bundle.BlueprintJson), cancellationToken);
        if (bundle.Manifest.BaselineSha256.Length > 0)
        {
            await AddAsync(zip, TraceBundle.BaselineEntry, Utf8.GetBytes(bundle.BaselineJson), cancellationToken);
        }

        await AddAsync(zip, TraceBundle.EventsEntry, Utf8.GetBytes(string.Concat(bundle.Events.Select(e => e + "\n"))), cancellationToken);
        foreach (var (artifactPath, content) in bundle.Artifacts)
        {
            await AddAsync(zip, TraceBundle.ArtifactsFolder + artifactPath, content, cancellationToken);
        }
    }

    private static async Task AddAsync(ZipArchive zip, string name, byte[] content, CancellationToken cancellationToken)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = EntryTime;
        await using var stream = await entry.OpenAsync(cancellationToken);
        await stream.WriteAsync(content, cancellationToken);
    }

    /// <summary>Reads and validates the bundle at <paramref name="path"/>.</summary>
    /// <exception cref="BundleFormatException">The file is not a bundle, or an entry is missing, malformed or does not match the manifest.</exception>
    public static async Task<TraceBundle> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        if (!File.Exists(path))
        {
            throw new BundleFormatException(path, "", "does not exist");
        }

        await using var file = File.OpenRead(path);
        ZipArchive zip;
        try
        {
            zip = await ZipArchive.CreateAsync(file, ZipArchiveMode.Read, leaveOpen: true, Utf8, cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            throw new BundleFormatException(name, "", $"is not a zip file ({ex.Message})", ex);
        }

        await using (zip)
        {
            return await ReadAsync(name, zip, cancellationToken);
        }
    }

    private static async Task<TraceBundle> ReadAsync(string name, ZipArchive zip, CancellationToken cancellationToken)
    {
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
        {
            if (!entries.TryAdd(entry.FullName, entry))
            {
                throw new BundleFormatException(name, entry.FullName, "appears more than once");
            }
        }

        var manifest = ReadManifest(name, await ReadEntryAsync(name, entries, TraceBundle.ManifestEntry, null, cancellationToken));

        var blueprintBytes = await ReadEntryAsync(name, entries, TraceBundle.BlueprintEntry, null, cancellationToken);
        var blueprintHash = ContentHash.Sha256Hex(blueprintBytes);
        if (blueprintHash != manifest.Blueprint.Sha256)
        {
            throw new BundleFormatException(name, TraceBundle.BlueprintEntry, $"hashes to {blueprintHash}, but the manifest's blueprint sha256 is {manifest.Blueprint.Sha256}");
        }

        var baselineJson = "";
        if (manifest.BaselineSha256.Length > 0)
        {
            var baselineBytes = await ReadEntryAsync(name, entries, TraceBundle.BaselineEntry, null, cancellationToken);
            var baselineHash = ContentHash.Sha256Hex(baselineBytes);
            if (baselineHash != manifest.BaselineSha256)
            {
                throw new BundleFormatException(name, TraceBundle.BaselineEntry, $"hashes to {baselineHash}, but the manifest's baselineSha256 is {manifest.BaselineSha256}");
            }

            baselineJson = Utf8.GetString(baselineBytes);
        }

        var events = ReadEvents(name, manifest, await ReadEntryAsync(name, entries, TraceBundle.EventsEntry, null, cancellationToken));

        var artifacts = ImmutableSortedDictionary.CreateBuilder<string, byte[]>(StringComparer.Ordinal);
        foreach (var artifact in manifest.Artifacts)
        {
            var entryName = TraceBundle.ArtifactsFolder + artifact.Path;
            if (!IsSafeRelativePath(artifact.Path))
            {
                throw new BundleFormatException(name, entryName, "has a path that is not a plain relative path");
            }

            if (artifacts.ContainsKey(artifact.Path))
            {
                throw new BundleFormatException(name, TraceBundle.ManifestEntry, $"lists artifact '{artifact.Path}' more than once");
            }

            var content = await ReadEntryAsync(name, entries, entryName, artifact.Size, cancellationToken);
            var sha = ContentHash.Sha256Hex(content);
            if (sha != artifact.Sha256 || content.LongLength != artifact.Size)
            {
                throw new BundleFormatException(name, entryName, $"hashes to {sha} ({content.LongLength} bytes), but the manifest says {artifact.Sha256} ({artifact.Size} bytes)");
            }

            artifacts[artifact.Path] = content;
        }

        var unlisted = entries.Keys
            .Where(k => k is not (TraceBundle.ManifestEntry or TraceBundle.BlueprintEntry or TraceBundle.EventsEntry)
                && (k != TraceBundle.BaselineEntry || manifest.BaselineSha256.Length == 0))
            .Where(k => !k.StartsWith(TraceBundle.ArtifactsFolder, StringComparison.Ordinal) || !artifacts.ContainsKey(k[TraceBundle.ArtifactsFolder.Length..]))
            .Order(StringComparer.Ordinal)
            .FirstOrDefault();
        if (unlisted is not null)
        {
            throw new BundleFormatException(name, unlisted, $"is not listed in {TraceBundle.ManifestEntry}");
        }

        return new TraceBundle(manifest, Utf8.GetString(blueprintBytes), events, artifacts.ToImmutable(), baselineJson);
    }

    /// <summary>Reads only the manifest of the bundle at <paramref name="path"/>.</summary>
    /// <exception cref="BundleFormatException">The file is not a bundle or its manifest is malformed.</exception>
    public static async Task<BundleManifest> ReadManifestAsync(string path, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        await using var file = File.OpenRead(path);
        try
        {
            await using var zip = await ZipArchive.CreateAsync(file, ZipArchiveMode.Read, leaveOpen: true, Utf8, cancellationToken);
            var entries = zip.Entries.GroupBy(e => e.FullName, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            return ReadManifest(name, await ReadEntryAsync(name, entries, TraceBundle.ManifestEntry, null, cancellationToken));
        }
        catch (InvalidDataException ex)
        {
            throw new BundleFormatException(name, "", $"is not a zip file ({ex.Message})", ex);
        }
    }

    private static BundleManifest ReadManifest(string name, byte[] bytes)
    {
        int version;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("formatVersion", out var versionElement)
                || !versionElement.TryGetInt32(out version))
            {
                throw new BundleFormatException(name, TraceBundle.ManifestEntry, "has no integer formatVersion");
            }
        }
        catch (JsonException ex)
        {
            throw new BundleFormatException(name, TraceBundle.ManifestEntry, $"is not valid JSON: {ex.Message}", ex);
        }

        if (version != BundleManifest.CurrentFormatVersion)
        {
            throw new BundleFormatException(name, TraceBundle.ManifestEntry, $"has format version {version}; this build reads version {BundleManifest.CurrentFormatVersion}");
        }

        try
        {
            return JsonSerializer.Deserialize<BundleManifest>(bytes, BundleManifest.Json)
                ?? throw new BundleFormatException(name, TraceBundle.ManifestEntry, "is null");
        }
        catch (JsonException ex)
        {
            throw new BundleFormatException(name, TraceBundle.ManifestEntry, $"does not match format version {version}: {ex.Message}", ex);
        }
    }

    private static ImmutableArray<string> ReadEvents(string name, BundleManifest manifest, byte[] bytes)
    {
        var text = Utf8.GetString(bytes);
        var lines = text.Split('\n');
        var events = lines.Length > 0 && lines[^1].Length == 0 ? lines[..^1] : lines;
        if (events.LongLength != manifest.EventCount)
        {
            throw new BundleFormatException(name, TraceBundle.EventsEntry, $"holds {events.Length} events, but the manifest's eventCount is {manifest.EventCount}");
        }

        for (var i = 0; i < events.Length; i++)
        {
            try
            {
                using var e = JsonDocument.Parse(events[i]);
                if (!e.RootElement.TryGetProperty("sequence", out var sequence) || !sequence.TryGetInt64(out var value) || value != i)
                {
                    throw new BundleFormatException(name, TraceBundle.EventsEntry, $"line {i + 1} is not the event with sequence {i}");
                }
            }
            catch (JsonException ex)
            {
                throw new BundleFormatException(name, TraceBundle.EventsEntry, $"line {i + 1} is not valid JSON: {ex.Message}", ex);
            }
        }

        return [.. events];
    }

    private static async Task<byte[]> ReadEntryAsync(string name, Dictionary<string, ZipArchiveEntry> entries, string entryName, long? expectedSize, CancellationToken cancellationToken)
    {
        if (!entries.TryGetValue(entryName, out var entry))
        {
            throw new BundleFormatException(name, entryName, "is missing");
        }

        if (entry.Length > MaxEntryBytes || (expectedSize is { } size && entry.Length != size))
        {
            throw new BundleFormatException(name, entryName, expectedSize is { } s && entry.Length != s
                ? $"is {entry.Length} bytes, but the manifest says {s} bytes"
                : $"is {entry.Length} bytes; the limit is {MaxEntryBytes} bytes");
        }

        try
        {
            await using var stream = await entry.OpenAsync(cancellationToken);
            var buffer = new MemoryStream((int)entry.Length);
            await stream.CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new BundleFormatException(name, entryName, $"cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>Whether <paramref name="path"/> is relative, '/'-separated, and has no empty, '.' or '..' segment.</summary>
    public static bool IsSafeRelativePath(string path) =>
        path.Length > 0
        && !path.Contains('\\', StringComparison.Ordinal)
        && !path.Contains(':', StringComparison.Ordinal)
        && path.Split('/').All(segment => segment.Length > 0 && segment is not ("." or ".."));
}
