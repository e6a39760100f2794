using System.Runtime.CompilerServices;
using System.Text;

namespace Factory.Blueprints;

/// <summary>
/// Loads blueprints: parses YAML (or the canonical JSON), validates, applies defaults, and reports every
/// problem with its path, line and column. Bad input never throws from <see cref="Load"/> or <see cref="LoadFile"/>.
/// </summary>
public static class BlueprintLoader
{
    /// <summary>
    /// Each valid load's result, by the very string of its canonical JSON (compared by reference, held only as long as
    /// that string lives). A blueprint validated at a gateway travels to its run grain as that string; when both are in
    /// one process the grain gets the same string and loads it without parsing it again. Loading a canonical JSON
    /// gives the blueprint it was made from, so the result is the same either way.
    /// </summary>
    private static readonly ConditionalWeakTable<string, BlueprintLoadResult> Canonical = new();

    /// <summary>Parses and validates <paramref name="text"/>, collecting all problems.</summary>
    /// <param name="text">The blueprint as YAML or JSON.</param>
    /// <param name="sourceName">A name for the source (e.g. a file path), used in the file-level problem messages only.</param>
    public static BlueprintLoadResult Load(string text, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Canonical.TryGetValue(text, out var loaded))
        {
            return loaded;
        }

        var result = Parse(text, sourceName);
        if (result.IsValid && result.CanonicalJson is { } json)
        {
            Canonical.AddOrUpdate(json, result);
        }

        return result;
    }

    private static BlueprintLoadResult Parse(string text, string? sourceName)
    {
        var sink = new ProblemSink();
        var source = sourceName is null ? "the document" : $"`{ProblemSink.Quote(sourceName)}`";
        var byteCount = Encoding.UTF8.GetByteCount(text);
        if (byteCount > BlueprintLimits.MaxDocumentBytes)
        {
            sink.Add(BlueprintProblemCodes.DocumentTooLarge, "$", 1, 1, $"{source} is {byteCount} bytes; the limit is {BlueprintLimits.MaxDocumentBytes} bytes (BlueprintLimits.MaxDocumentBytes)");
            return new BlueprintLoadResult(null, sink.ToList());
        }

        var root = YamlTree.Read(text, sink);
        if (root is null || root.IsNull)
        {
            if (sink.Count == 0)
            {
                sink.Add(BlueprintProblemCodes.EmptyDocument, "$", root?.Line ?? 1, root?.Column ?? 1, $"{source} is empty; expected a blueprint mapping starting with `apiVersion: {Blueprint.CurrentApiVersion}`");
            }

            return new BlueprintLoadResult(null, sink.ToList());
        }

        var blueprint = BlueprintParser.Build(root, sink);
        if (blueprint is null)
        {
            return new BlueprintLoadResult(null, sink.ToList());
        }

        blueprint = BlueprintValidator.Validate(blueprint, sink);
        return new BlueprintLoadResult(blueprint, sink.ToList());
    }

    /// <summary>Reads and loads the file at <paramref name="path"/>; a missing or unreadable file is a problem, not an exception.</summary>
    public static BlueprintLoadResult LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return FileProblem($"file `{ProblemSink.Quote(path)}` does not exist");
            }

            if (info.Length > BlueprintLimits.MaxDocumentBytes * 4L)
            {
                return new BlueprintLoadResult(null, [new BlueprintProblem(BlueprintProblemCodes.DocumentTooLarge, "$", 1, 1, $"file `{ProblemSink.Quote(path)}` is {info.Length} bytes; the limit is {BlueprintLimits.MaxDocumentBytes} bytes (BlueprintLimits.MaxDocumentBytes)")]);
            }

            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException)
        {
            return FileProblem($"file `{ProblemSink.Quote(path)}` cannot be read: {ex.Message}");
        }

        return Load(text, path);
    }

    /// <summary>Loads <paramref name="text"/> and returns the blueprint, or throws <see cref="InvalidBlueprintException"/> listing every problem.</summary>
    public static Blueprint LoadValid(string text, string? sourceName = null)
    {
        var result = Load(text, sourceName);
        return result.IsValid && result.Blueprint is { } blueprint ? blueprint : throw new InvalidBlueprintException(result.Problems);
    }

    private static BlueprintLoadResult FileProblem(string message) =>
        new(null, [new BlueprintProblem(BlueprintProblemCodes.FileUnreadable, "$", 1, 1, message)]);
}
