using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Factory.Grains.Gates;

/// <summary>
/// <c>auth-scope-required</c>: every operation of the module has a scope in the blueprint, and the generated
/// endpoint enforces it: in the module's C# under <c>src/</c>, the fluent chain holding
/// <c>.WithName("{Operation}")</c> also holds <c>.RequireScope("{scope}")</c> with the blueprint's scope.
/// </summary>
public sealed class AuthScopeRequiredGate : IGate
{
    /// <inheritdoc />
    public string RuleId => GateRuleIds.AuthScopeRequired;

    /// <inheritdoc />
    public ValueTask<GateFinding> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var endpoints = FindEndpoints(GateSupport.Parse(GateSupport.CSharpUnder(context, GateSupport.SourceFolder), cancellationToken), cancellationToken);
        var modulePath = GateSupport.ModulePath(context);
        var operations = context.Module.Operations;
        var violations = new List<GateViolation>();
        var failing = new HashSet<int>();
        for (var i = 0; i < operations.Count; i++)
        {
            var operation = operations[i];
            var operationPath = GateSupport.Indexed(modulePath + ".operations", i);
            if (string.IsNullOrWhiteSpace(operation.Scope))
            {
                failing.Add(i);
                violations.Add(new GateViolation(RuleId, operationPath + ".scope", $"operation `{operation.Name}` has no scope"));
                continue;
            }

            var chains = endpoints.Where(e => e.Name == operation.Name).ToList();
            if (chains.Count == 0)
            {
                failing.Add(i);
                violations.Add(new GateViolation(RuleId, operationPath, $"no endpoint of operation `{operation.Name}` (`.WithName(\"{operation.Name}\")`) was found in the C# under src/"));
                continue;
            }

            foreach (var chain in chains)
            {
                if (chain.Scopes.Contains(operation.Scope, StringComparer.Ordinal))
                {
                    continue;
                }

                failing.Add(i);
                var found = chain.Scopes.Count == 0
                    ? "it requires no scope"
                    : "it requires " + string.Join(", ", chain.Scopes.Select(s => $"`{s}`"));
                violations.Add(new GateViolation(RuleId, chain.Where, $"the endpoint of operation `{operation.Name}` does not call `.RequireScope(\"{operation.Scope}\")`: {found}"));
            }
        }

        return ValueTask.FromResult(new GateFinding($"{operations.Count - failing.Count} of {operations.Count} operations require their scope", violations));
    }

    /// <summary>Every fluent chain with a <c>.WithName("...")</c> call: the name, where it is, and its <c>.RequireScope</c> literals.</summary>
    private static List<Endpoint> FindEndpoints(IReadOnlyList<SyntaxTree> trees, CancellationToken cancellationToken)
    {
        var endpoints = new List<Endpoint>();
        foreach (var tree in trees)
        {
            foreach (var invocation in tree.GetRoot(cancellationToken).DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (GateSupport.InvokedName(invocation) != "WithName" || GateSupport.SingleStringArgument(invocation) is not { } name)
                {
                    continue;
                }

                var calls = ChainOf(invocation);
                var scopes = calls
                    .Where(c => GateSupport.InvokedName(c) == "RequireScope")
                    .Select(c => GateSupport.SingleStringArgument(c) ?? c.ArgumentList.ToString())
                    .ToList();
                // Where the `.WithName(...)` call is, not where the chain starts.
                SyntaxNode at = invocation.Expression is MemberAccessExpressionSyntax member ? member.Name : invocation;
                endpoints.Add(new Endpoint(name, GateSupport.Where(at), scopes));
            }
        }

        return endpoints;
    }

    /// <summary>The invocations of the whole fluent chain <paramref name="member"/> belongs to.</summary>
    private static List<InvocationExpressionSyntax> ChainOf(InvocationExpressionSyntax member)
    {
        // Up to the outermost call of the chain: a call whose result is the receiver of the next call.
        ExpressionSyntax top = member;
        while (top.Parent is MemberAccessExpressionSyntax access && access.Expression == top && access.Parent is InvocationExpressionSyntax next)
        {
            top = next;
        }

        // Down through the receivers.
        var calls = new List<InvocationExpressionSyntax>();
        var current = top;
        while (current is InvocationExpressionSyntax invocation)
        {
            calls.Add(invocation);
            if (invocation.Expression is not MemberAccessExpressionSyntax access)
            {
                break;
            }

            current = access.Expression;
        }

        return calls;
    }

    private sealed record Endpoint(string Name, string Where, IReadOnlyList<string> Scopes);
}
