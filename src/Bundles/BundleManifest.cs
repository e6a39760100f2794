using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Factory.Bundles;

/// <summary>
/// <c>manifest.json</c> of a trace bundle: what the run was, what it used, what it produced (with hashes), its
/// gate results and timings. The bundle's other entries are checked against it.
/// </summary>
public sealed record BundleManifest
{
    /// <summary>The only format version this build reads and writes.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Bundle format version.</summary>
    public required int FormatVersion { get; init; }

    /// <summary>The run.</summary>
    public required string RunId { get; init; }

    /// <summary>The tenant that ran it.</summary>
    public required string TenantId { get; init; }

    /// <summary>The run's W3C trace id.</summary>
    public required string TraceId { get; init; }

    /// <summary>The run's final status.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>Why it failed, was blocked or cancelled; empty otherwise.</summary>
    public string Reason { get; init; } = "";

    /// <summary>Name, version and canonical hash of the blueprint (the hash of <c>blueprint.json</c>).</summary>
    public required BundleBlueprint Blueprint { get; init; }

    /// <summary>Template pack name@version the run used.</summary>
    public required string TemplatePack { get; init; }

    /// <summary>Every skill that produced an artifact, with its version, ordered by id.</summary>
    public required IReadOnlyList<BundleSkill> Skills { get; init; }

    /// <summary>Every artifact, ordered by path; each is the entry <c>artifacts/{path}</c>.</summary>
    public required IReadOnlyList<BundleArtifact> Artifacts { get; init; }

    /// <summary>Every gate result, by module then rule.</summary>
    public required IReadOnlyList<BundleGate> Gates { get; init; }

    /// <summary>When the run was submitted and ended.</summary>
    public required BundleTimings Timings { get; init; }

    /// <summary>Number of journaled events: the lines of <c>events.jsonl</c>.</summary>
    public required long EventCount { get; init; }

    /// <summary>What the run cost (skills' compute and model tokens), in US dollars.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>
    /// Canonical hash of the blueprint the breaking-change gate compared with (the entry <c>baseline.json</c>),
    /// or empty when there was none. A replay compares with the same one.
    /// </summary>
    public string BaselineSha256 { get; init; } = "";

    /// <summary>The serializer settings of manifests: camelCase, enums as camelCase strings, indented.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    /// <summary>The manifest of a finished run.</summary>
    public static BundleManifest From(RunSnapshot run) => new()
    {
        FormatVersion = CurrentFormatVersion,
        RunId = run.RunId,
        TenantId = run.TenantId,
        TraceId = run.TraceId,
        Status = run.Status,
        Reason = run.Reason,
        Blueprint = new BundleBlueprint(run.BlueprintName, run.BlueprintVersion, run.BlueprintHash),
        TemplatePack = run.TemplatePack,
        Skills = [.. run.Artifacts
            .Select(a => new BundleSkill(a.Skill, a.SkillVersion))
            .Distinct()
            .OrderBy(s => s.Id, StringComparer.Ordinal)
            .ThenBy(s => s.Version, StringComparer.Ordinal)],
        Artifacts = [.. run.Artifacts
            .OrderBy(a => a.Path, StringComparer.Ordinal)
            .Select(a => new BundleArtifact(a.Path, a.Kind, a.Sha256, a.Size, a.Module, a.Role, a.Skill, a.SkillVersion))],
        Gates = [.. run.Gates.Select(g => new BundleGate(
            g.Module, g.RuleId, g.Mode, g.Passed, g.Summary, [.. g.Violations.Select(v => new BundleGateViolation(v.RuleId, v.Path, v.Message))]))],
        Timings = new BundleTimings(
            run.SubmittedAt,
            run.EndedAt,
            run.EndedAt is { } ended ? (long)(ended - run.SubmittedAt).TotalMilliseconds : null),
        EventCount = run.EventCount,
        CostUsd = run.CostUsd,
        BaselineSha256 = run.BaselineBlueprintHash,
    };
}

/// <summary>The blueprint a run executed.</summary>
/// <param name="Name">Blueprint name.</param>
/// <param name="Version">Blueprint version.</param>
/// <param name="Sha256">SHA-256 of its canonical JSON.</param>
public sealed record BundleBlueprint(string Name, string Version, string Sha256);

/// <summary>A skill and version that produced artifacts.</summary>
/// <param name="Id">Skill id.</param>
/// <param name="Version">Skill version.</param>
public sealed record BundleSkill(string Id, string Version);

/// <summary>One artifact of a bundle.</summary>
/// <param name="Path">Path relative to the run's output root; the entry is <c>artifacts/{Path}</c>.</param>
/// <param name="Kind">Artifact kind.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the content.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="Module">Its module.</param>
/// <param name="Role">The agent role that produced it.</param>
/// <param name="Skill">The skill that produced it.</param>
/// <param name="SkillVersion">That skill's version.</param>
public sealed record BundleArtifact(string Path, string Kind, string Sha256, long Size, string Module, string Role, string Skill, string SkillVersion);

/// <summary>The result of one gate on one module.</summary>
/// <param name="Module">The module.</param>
/// <param name="RuleId">The gate's rule id.</param>
/// <param name="Mode">Block or warn.</param>
/// <param name="Passed">Whether it found nothing wrong.</param>
/// <param name="Summary">One line on what it checked.</param>
/// <param name="Violations">What it found wrong.</param>
public sealed record BundleGate(string Module, string RuleId, GateMode Mode, bool Passed, string Summary, IReadOnlyList<BundleGateViolation> Violations);

/// <summary>One thing a gate found wrong.</summary>
/// <param name="RuleId">The rule id.</param>
/// <param name="Path">The artifact or blueprint path it concerns, or empty.</param>
/// <param name="Message">What is wrong.</param>
public sealed record BundleGateViolation(string RuleId, string Path, string Message);

/// <summary>A run's timings.</summary>
/// <param name="SubmittedAt">When the run was submitted.</param>
/// <param name="EndedAt">When it ended, or null if it never did.</param>
/// <param name="DurationMs">Milliseconds from submission to end, or null.</param>
public sealed record BundleTimings(DateTimeOffset SubmittedAt, DateTimeOffset? EndedAt, long? DurationMs);
