using System.Collections.Immutable;
using System.Globalization;
using Factory.Blueprints;

namespace Factory.Grains.Gates;

/// <summary>
/// Evaluates every registered gate whose rule the blueprint's policy does not turn off, for one module.
/// Results are ordered by rule id; violation paths of artifacts are prefixed with the module name
/// (<c>{module}/{path}</c>, as the run's artifacts are laid out), blueprint paths are left as they are,
/// and each gate's violations are capped at <see cref="MaxViolationsPerGate"/>. A gate that throws
/// yields a failed result carrying the exception's message.
/// </summary>
public sealed class GateEvaluator
{
    /// <summary>The most violations one result carries; past it, the last one says how many more there were.</summary>
    public const int MaxViolationsPerGate = 50;

    private readonly IReadOnlyList<IGate> _gates;

    /// <summary>Creates an evaluator over <paramref name="gates"/>; rule ids must be unique.</summary>
    public GateEvaluator(IEnumerable<IGate> gates)
    {
        ArgumentNullException.ThrowIfNull(gates);
        _gates = [.. gates.OrderBy(g => g.RuleId, StringComparer.Ordinal)];
        var duplicate = _gates.GroupBy(g => g.RuleId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two gates have the rule id '{duplicate.Key}'.", nameof(gates));
        }
    }

    /// <summary>The rule ids of the registered gates, in order.</summary>
    public IReadOnlyList<string> RuleIds => [.. _gates.Select(g => g.RuleId)];

    /// <summary>Evaluates the gates for the context's module.</summary>
    /// <returns>One result per evaluated rule, ordered by rule id.</returns>
    public async ValueTask<IReadOnlyList<GateResult>> EvaluateAsync(GateContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var artifactPaths = context.Artifacts.Select(a => a.Path).ToHashSet(StringComparer.Ordinal);
        var results = new List<GateResult>(_gates.Count);
        foreach (var gate in _gates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var mode = context.Blueprint.Policies.ModeOf(gate.RuleId);
            if (mode == RuleMode.Off)
            {
                continue;
            }

            var gateMode = mode == RuleMode.Warn ? GateMode.Warn : GateMode.Block;
            GateFinding finding;
            try
            {
                finding = await gate.EvaluateAsync(context, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // A gate's failure is a failed result, never the caller's crash.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                var message = $"the gate failed: {exception.GetType().Name}: {exception.Message}";
                results.Add(new GateResult(context.Module.Name, gate.RuleId, gateMode, false, message, [new GateViolation(gate.RuleId, "", message)]));
                continue;
            }

            var violations = Cap(gate.RuleId, finding.Violations.Select(v => v with { RuleId = gate.RuleId, Path = Qualify(context.Module.Name, v.Path, artifactPaths) }));
            results.Add(new GateResult(context.Module.Name, gate.RuleId, gateMode, violations.IsEmpty, finding.Summary, violations));
        }

        return results;
    }

    /// <summary>Prefixes an artifact path (optionally followed by <c>:line[:column]</c>) with the module.</summary>
    private static string Qualify(string module, string path, HashSet<string> artifactPaths)
    {
        var colon = path.IndexOf(':', StringComparison.Ordinal);
        var file = colon < 0 ? path : path[..colon];
        return file.Length > 0 && artifactPaths.Contains(file) ? module + "/" + path : path;
    }

    private static ImmutableArray<GateViolation> Cap(string ruleId, IEnumerable<GateViolation> violations)
    {
        var all = violations.ToList();
        if (all.Count <= MaxViolationsPerGate)
        {
            return [.. all];
        }

        var kept = all.Take(MaxViolationsPerGate - 1).ToList();
        var more = (all.Count - kept.Count).ToString(CultureInfo.InvariantCulture);
        kept.Add(new GateViolation(ruleId, "", $"... and {more} more"));
        return [.. kept];
    }
}
