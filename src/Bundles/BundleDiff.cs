using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiffPlex;
using DiffPlex.Renderer;

namespace Factory.Bundles;

/// <summary>How a value, an artifact or a gate differs between two runs.</summary>
public enum ChangeKind
{
    /// <summary>Only in the second run.</summary>
    Added,
    /// <summary>Only in the first run.</summary>
    Removed,
    /// <summary>In both, different.</summary>
    Changed,
}

/// <summary>A run-level field (status, tenant, template pack, ...) that differs.</summary>
/// <param name="Field">The manifest field.</param>
/// <param name="Old">Its value in the first run.</param>
/// <param name="New">Its value in the second run.</param>
public sealed record RunFieldChange(string Field, string Old, string New);

/// <summary>A path of the canonical blueprint JSON that differs.</summary>
/// <param name="Path">The path, as blueprint problems name them (<c>domain.entities[0].fields[3].name</c>).</param>
/// <param name="Kind">Added, removed or changed.</param>
/// <param name="Old">The compact JSON value in the first run, or null when added.</param>
/// <param name="New">The compact JSON value in the second run, or null when removed.</param>
public sealed record BlueprintChange(string Path, ChangeKind Kind, string? Old, string? New);

/// <summary>An artifact that differs.</summary>
/// <param name="Path">Its path.</param>
/// <param name="Kind">Added, removed or changed.</param>
/// <param name="OldSha256">Its hash in the first run, or null when added.</param>
/// <param name="NewSha256">Its hash in the second run, or null when removed.</param>
/// <param name="UnifiedDiff">For a changed text file, its unified diff; otherwise null.</param>
public sealed record ArtifactChange(string Path, ChangeKind Kind, string? OldSha256, string? NewSha256, string? UnifiedDiff);

/// <summary>A gate result (one rule on one module) that differs.</summary>
/// <param name="Module">The module.</param>
/// <param name="RuleId">The rule.</param>
/// <param name="Kind">Added, removed or changed.</param>
/// <param name="Old">The result in the first run (<c>passed</c>, <c>failed</c>, with the mode when it changed), or null.</param>
/// <param name="New">The result in the second run, or null.</param>
/// <param name="OldSummary">The first run's summary line, or null.</param>
/// <param name="NewSummary">The second run's summary line, or null.</param>
public sealed record GateChange(string Module, string RuleId, ChangeKind Kind, string? Old, string? New, string? OldSummary, string? NewSummary);

/// <summary>
/// What differs between two runs' bundles: run-level fields, the canonical blueprint's JSON paths, the
/// artifacts (with a unified diff per changed text file) and the gate results. Run ids, trace ids,
/// timings and event counts are identities and measurements, not differences.
/// </summary>
/// <param name="A">The first run's manifest.</param>
/// <param name="B">The second run's manifest.</param>
/// <param name="Run">Run-level fields that differ.</param>
/// <param name="Blueprint">Blueprint paths that differ, in document order.</param>
/// <param name="Artifacts">Artifacts that differ, by path.</param>
/// <param name="Gates">Gate results that differ, by module then rule.</param>
public sealed record BundleDiff(
    BundleManifest A,
    BundleManifest B,
    ImmutableArray<RunFieldChange> Run,
    ImmutableArray<BlueprintChange> Blueprint,
    ImmutableArray<ArtifactChange> Artifacts,
    ImmutableArray<GateChange> Gates)
{
    private const int ContextLines = 3;

    private static readonly JsonSerializerOptions CompactJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Whether the two runs are the same in every compared respect.</summary>
    public bool Identical => Run.IsEmpty && Blueprint.IsEmpty && Artifacts.IsEmpty && Gates.IsEmpty;

    /// <summary>Compares <paramref name="a"/> (old) with <paramref name="b"/> (new).</summary>
    public static BundleDiff Compare(TraceBundle a, TraceBundle b) => new(
        a.Manifest,
        b.Manifest,
        CompareRun(a.Manifest, b.Manifest),
        CompareBlueprints(a.BlueprintJson, b.BlueprintJson),
        CompareArtifacts(a, b),
        CompareGates(a.Manifest.Gates, b.Manifest.Gates));

    private static ImmutableArray<RunFieldChange> CompareRun(BundleManifest a, BundleManifest b)
    {
        var changes = ImmutableArray.CreateBuilder<RunFieldChange>();
        void Add(string field, string old, string @new)
        {
            if (!string.Equals(old, @new, StringComparison.Ordinal))
            {
                changes.Add(new RunFieldChange(field, old, @new));
            }
        }

        Add("tenantId", a.TenantId, b.TenantId);
        Add("status", a.Status.ToString(), b.Status.ToString());
        Add("reason", a.Reason, b.Reason);
        Add("templatePack", a.TemplatePack, b.TemplatePack);
        Add("skills", Skills(a), Skills(b));
        return changes.ToImmutable();

        static string Skills(BundleManifest m) => string.Join(", ", m.Skills.Select(s => $"{s.Id}@{s.Version}"));
    }

    /// <summary>The JSON paths at which two canonical blueprints differ, in document order.</summary>
    public static ImmutableArray<BlueprintChange> CompareBlueprints(string a, string b)
    {
        var changes = ImmutableArray.CreateBuilder<BlueprintChange>();
        Walk("", JsonNode.Parse(a), JsonNode.Parse(b), changes);
        return changes.ToImmutable();
    }

    private static void Walk(string path, JsonNode? a, JsonNode? b, ImmutableArray<BlueprintChange>.Builder changes)
    {
        switch (a, b)
        {
            case (JsonObject oa, JsonObject ob):
                foreach (var (key, value) in oa)
                {
                    var child = path.Length == 0 ? key : $"{path}.{key}";
                    if (ob.TryGetPropertyValue(key, out var other))
                    {
                        Walk(child, value, other, changes);
                    }
                    else
                    {
                        changes.Add(new BlueprintChange(child, ChangeKind.Removed, Compact(value), null));
                    }
                }

                foreach (var (key, value) in ob.Where(p => !oa.ContainsKey(p.Key)))
                {
                    changes.Add(new BlueprintChange(path.Length == 0 ? key : $"{path}.{key}", ChangeKind.Added, null, Compact(value)));
                }

                break;
            case (JsonArray aa, JsonArray ab):
                for (var i = 0; i < Math.Max(aa.Count, ab.Count); i++)
                {
                    var child = $"{path}[{i}]";
                    if (i >= ab.Count)
                    {
                        changes.Add(new BlueprintChange(child, ChangeKind.Removed, Compact(aa[i]), null));
                    }
                    else if (i >= aa.Count)
                    {
                        changes.Add(new BlueprintChange(child, ChangeKind.Added, null, Compact(ab[i])));
                    }
                    else
                    {
                        Walk(child, aa[i], ab[i], changes);
                    }
                }

                break;
            default:
                if (!JsonNode.DeepEquals(a, b))
                {
                    changes.Add(new BlueprintChange(path.Length == 0 ? "$" : path, ChangeKind.Changed, Compact(a), Compact(b)));
                }

                break;
        }
    }

    private static string Compact(JsonNode? node) => node?.ToJsonString(CompactJson) ?? "null";

    private static ImmutableArray<ArtifactChange> CompareArtifacts(TraceBundle a, TraceBundle b)
    {
        var old = a.Manifest.Artifacts.ToDictionary(x => x.Path, StringComparer.Ordinal);
        var @new = b.Manifest.Artifacts.ToDictionary(x => x.Path, StringComparer.Ordinal);
        var changes = ImmutableArray.CreateBuilder<ArtifactChange>();
        foreach (var path in old.Keys.Union(@new.Keys).Order(StringComparer.Ordinal))
        {
            switch (old.GetValueOrDefault(path), @new.GetValueOrDefault(path))
            {
                case ({ } x, null):
                    changes.Add(new ArtifactChange(path, ChangeKind.Removed, x.Sha256, null, null));
                    break;
                case (null, { } y):
                    changes.Add(new ArtifactChange(path, ChangeKind.Added, null, y.Sha256, null));
                    break;
                case ({ } x, { } y) when x.Sha256 != y.Sha256:
                    changes.Add(new ArtifactChange(path, ChangeKind.Changed, x.Sha256, y.Sha256, UnifiedDiff(path, a.Artifacts[path], b.Artifacts[path])));
                    break;
            }
        }

        return changes.ToImmutable();
    }

    /// <summary>The unified diff of two versions of a text file, or null when either is not text.</summary>
    public static string? UnifiedDiff(string path, byte[] old, byte[] @new)
    {
        if (TraceBundle.AsText(old) is not { } oldText || TraceBundle.AsText(@new) is not { } newText)
        {
            return null;
        }

        return new UnidiffRenderer(Differ.Instance, ContextLines).Generate(oldText, newText, $"a/{path}", $"b/{path}");
    }

    private static ImmutableArray<GateChange> CompareGates(IReadOnlyList<BundleGate> a, IReadOnlyList<BundleGate> b)
    {
        static (string, string) Key(BundleGate g) => (g.Module, g.RuleId);
        var old = a.GroupBy(Key).ToDictionary(g => g.Key, g => g.First());
        var @new = b.GroupBy(Key).ToDictionary(g => g.Key, g => g.First());
        var changes = ImmutableArray.CreateBuilder<GateChange>();
        foreach (var key in old.Keys.Union(@new.Keys).OrderBy(k => k.Item1, StringComparer.Ordinal).ThenBy(k => k.Item2, StringComparer.Ordinal))
        {
            var (module, rule) = key;
            switch (old.GetValueOrDefault(key), @new.GetValueOrDefault(key))
            {
                case ({ } x, null):
                    changes.Add(new GateChange(module, rule, ChangeKind.Removed, State(x, true), null, x.Summary, null));
                    break;
                case (null, { } y):
                    changes.Add(new GateChange(module, rule, ChangeKind.Added, null, State(y, true), null, y.Summary));
                    break;
                case ({ } x, { } y) when !SameResult(x, y):
                    var showMode = x.Mode != y.Mode;
                    changes.Add(new GateChange(module, rule, ChangeKind.Changed, State(x, showMode), State(y, showMode), x.Summary, y.Summary));
                    break;
            }
        }

        return changes.ToImmutable();

        static string State(BundleGate g, bool withMode) =>
            (g.Passed ? "passed" : "failed") + (withMode ? $" ({g.Mode.ToString().ToLowerInvariant()})" : "");

        // The summary line is not compared: it may carry a measurement (the run's cost) that differs run to run.
        static bool SameResult(BundleGate x, BundleGate y) =>
            x.Passed == y.Passed && x.Mode == y.Mode && x.Violations.SequenceEqual(y.Violations);
    }
}
