using Factory.Blueprints;

namespace Factory.Grains.Gates;

/// <summary>An artifact a gate inspects: module-relative path, kind and content.</summary>
/// <param name="Path">Module-relative path with forward slashes, e.g. <c>src/Appointments.Api/Program.cs</c>.</param>
/// <param name="Kind">Artifact kind, e.g. <c>csharp</c>, <c>openapi</c>.</param>
/// <param name="Content">The bytes (UTF-8).</param>
public sealed record GateArtifact(string Path, string Kind, ReadOnlyMemory<byte> Content);

/// <summary>Everything a gate may look at for one module of one run.</summary>
public sealed record GateContext
{
    /// <summary>The validated blueprint.</summary>
    public required Blueprint Blueprint { get; init; }

    /// <summary>The blueprint's canonical hash.</summary>
    public required string BlueprintHash { get; init; }

    /// <summary>The module being validated.</summary>
    public required ModuleSpec Module { get; init; }

    /// <summary>The module's artifacts produced before the validator, ordered by path.</summary>
    public required IReadOnlyList<GateArtifact> Artifacts { get; init; }

    /// <summary>What the run has cost so far, in US dollars.</summary>
    public decimal RunCostUsd { get; init; }

    /// <summary>The blueprint of the tenant's last promoted run of a blueprint with the same name, or null when none was promoted.</summary>
    public Blueprint? PromotedBlueprint { get; init; }
}

/// <summary>What one gate found: a one-line summary and its violations (module-relative paths).</summary>
/// <param name="Summary">One line on what was checked.</param>
/// <param name="Violations">What is wrong; empty when the gate passes.</param>
public sealed record GateFinding(string Summary, IReadOnlyList<GateViolation> Violations);

/// <summary>
/// One policy rule evaluated over the blueprint and a module's artifact set. Gates are pure: the
/// same context gives the same finding. The blueprint's policy decides whether a failure blocks.
/// </summary>
public interface IGate
{
    /// <summary>The rule id, one of the ids a blueprint's <c>policies.rules</c> may name (e.g. <c>compiles</c>).</summary>
    string RuleId { get; }

    /// <summary>Evaluates the rule.</summary>
    ValueTask<GateFinding> EvaluateAsync(GateContext context, CancellationToken cancellationToken);
}
