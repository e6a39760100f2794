using System.Collections.Immutable;

namespace Factory;

/// <summary>How a failed gate is treated, as the blueprint's policy sets it.</summary>
[GenerateSerializer]
public enum GateMode
{
    /// <summary>A failure blocks promotion: the run ends <see cref="RunStatus.Blocked"/>.</summary>
    Block = 0,
    /// <summary>A failure is reported, and promotion goes on.</summary>
    Warn = 1,
}

/// <summary>One thing a gate found wrong.</summary>
/// <param name="RuleId">The gate's rule id, e.g. <c>auth-scope-required</c>.</param>
/// <param name="Path">The artifact path (relative to the run's output root) or blueprint path it concerns; empty when neither applies.</param>
/// <param name="Message">What is wrong, in one sentence. Never a secret value.</param>
[GenerateSerializer, Immutable, Alias("Factory.GateViolation")]
public sealed record GateViolation(
    [property: Id(0)] string RuleId,
    [property: Id(1)] string Path,
    [property: Id(2)] string Message);

/// <summary>The result of one gate on one module of a run.</summary>
/// <param name="Module">The module.</param>
/// <param name="RuleId">The gate's rule id.</param>
/// <param name="Mode">Block or warn, from the blueprint's policy.</param>
/// <param name="Passed">Whether it found nothing wrong.</param>
/// <param name="Summary">One line on what it checked (e.g. <c>14 of 14 operations covered</c>).</param>
/// <param name="Violations">What it found wrong, at most a bounded number.</param>
[GenerateSerializer, Immutable, Alias("Factory.GateResult")]
public sealed record GateResult(
    [property: Id(0)] string Module,
    [property: Id(1)] string RuleId,
    [property: Id(2)] GateMode Mode,
    [property: Id(3)] bool Passed,
    [property: Id(4)] string Summary,
    [property: Id(5)] ImmutableArray<GateViolation> Violations)
{
    /// <summary>Whether this result blocks promotion.</summary>
    public bool Blocks => !Passed && Mode == GateMode.Block;
}
