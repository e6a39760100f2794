using System.Globalization;
using Factory.Blueprints;

namespace Factory.Grains.Gates;

/// <summary>
/// <c>no-secret-values</c>: no artifact holds text that looks like a secret value (see <see cref="SecretPatterns"/>);
/// artifacts may only carry references (<c>vault://</c>, <c>env://</c>). A violation names the artifact and the
/// line, never the value.
/// </summary>
public sealed class NoSecretValuesGate : IGate
{
    /// <inheritdoc />
    public string RuleId => GateRuleIds.NoSecretValues;

    /// <inheritdoc />
    public ValueTask<GateFinding> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var violations = new List<GateViolation>();
        foreach (var artifact in context.Artifacts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var lines = GateSupport.Text(artifact).Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (SecretPatterns.LooksLikeSecret(lines[i]))
                {
                    var line = (i + 1).ToString(CultureInfo.InvariantCulture);
                    violations.Add(new GateViolation(RuleId, artifact.Path + ":" + line, $"line {line} holds what looks like a secret value; reference the secret (vault://, env://) instead"));
                }
            }
        }

        return ValueTask.FromResult(new GateFinding($"{context.Artifacts.Count} artifacts scanned, {violations.Count} secret values", violations));
    }
}
