using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Factory.Grains.Gates;

/// <summary>
/// <c>operation-test-coverage</c>: an operation is covered when a C# file under <c>tests/</c> has a
/// <c>[Fact]</c> or <c>[Theory]</c> method named <c>{Operation}_...</c>. Coverage is covered / operations
/// (1 with no operations); the gate fails below the policy's <c>minTestCoverage</c> and then lists the
/// uncovered operations.
/// </summary>
public sealed class OperationTestCoverageGate : IGate
{
    /// <inheritdoc />
    public string RuleId => GateRuleIds.OperationTestCoverage;

    /// <inheritdoc />
    public ValueTask<GateFinding> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var tests = GateSupport.Parse(GateSupport.CSharpUnder(context, GateSupport.TestFolder), cancellationToken)
            .SelectMany(t => t.GetRoot(cancellationToken).DescendantNodes().OfType<MethodDeclarationSyntax>())
            .Where(m => GateSupport.HasAttribute(m.AttributeLists, "Fact") || GateSupport.HasAttribute(m.AttributeLists, "Theory"))
            .Select(m => m.Identifier.ValueText)
            .ToList();

        var operations = context.Module.Operations;
        var uncovered = new List<int>();
        for (var i = 0; i < operations.Count; i++)
        {
            var prefix = GateSupport.Pascal(operations[i].Name) + "_";
            if (!tests.Any(t => t.StartsWith(prefix, StringComparison.Ordinal)))
            {
                uncovered.Add(i);
            }
        }

        var covered = operations.Count - uncovered.Count;
        var coverage = operations.Count == 0 ? 1m : (decimal)covered / operations.Count;
        var minimum = context.Blueprint.Policies.MinTestCoverage;
        var passes = coverage >= minimum;
        var summary = $"{covered} of {operations.Count} operations covered ({GateSupport.Two(coverage)} {(passes ? ">=" : "<")} {GateSupport.Two(minimum)})";
        if (passes)
        {
            return ValueTask.FromResult(new GateFinding(summary, []));
        }

        var modulePath = GateSupport.ModulePath(context);
        var violations = uncovered
            .Select(i => new GateViolation(
                RuleId,
                GateSupport.Indexed(modulePath + ".operations", i),
                $"operation `{operations[i].Name}` has no test: no [Fact] or [Theory] method under tests/ is named `{GateSupport.Pascal(operations[i].Name)}_...`"))
            .ToList();
        return ValueTask.FromResult(new GateFinding(summary, violations));
    }
}
