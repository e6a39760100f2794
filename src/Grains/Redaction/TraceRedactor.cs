using System.Collections.Frozen;
using System.Collections.Immutable;
using Factory.Blueprints;
using Microsoft.Extensions.Compliance.Redaction;

namespace Factory.Grains.Redaction;

/// <summary><see cref="ITraceRedactor"/> on the redactors registered for <see cref="FactoryTaxonomy"/>.</summary>
public sealed class TraceRedactor(IRedactorProvider redactors) : ITraceRedactor
{
    /// <summary>
    /// Attributes whose values the runtime writes itself from numbers, hashes and the template pack's own names (never
    /// from a tenant's text), so there is nothing in them to redact: hashes in particular would be scanned as long
    /// random-looking strings on every artifact event.
    /// </summary>
    private static readonly FrozenSet<string> MachineValued = FrozenSet.Create(StringComparer.Ordinal,
    [
        TraceAttributes.Sha256, TraceAttributes.Size, TraceAttributes.Kind, TraceAttributes.SkillVersion, TraceAttributes.BlueprintHash,
        TraceAttributes.BaselineBlueprintHash, TraceAttributes.Tasks, TraceAttributes.Artifacts, TraceAttributes.Events, TraceAttributes.DurationMs, TraceAttributes.TemplatePack,
        TraceAttributes.CostUsd, TraceAttributes.ComputeUsd, TraceAttributes.TokensUsd, TraceAttributes.TokensIn, TraceAttributes.TokensOut,
        TraceAttributes.BudgetUsd, TraceAttributes.Score,
    ]);

    private readonly Redactor _text = redactors.GetRedactor(FactoryTaxonomy.FreeText);
    private readonly Redactor _personal = redactors.GetRedactor(FactoryTaxonomy.PersonalData);

    /// <inheritdoc/>
    public string RedactText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length == 0 ? text : _text.Redact(text);
    }

    /// <inheritdoc/>
    public TraceEvent Redact(TraceEvent traceEvent)
    {
        ArgumentNullException.ThrowIfNull(traceEvent);
        ImmutableDictionary<string, string>.Builder? changed = null;
        foreach (var (key, value) in traceEvent.Attributes)
        {
            if (MachineValued.Contains(key))
            {
                continue;
            }

            var redacted = RedactText(value);
            if (!ReferenceEquals(redacted, value) && redacted != value)
            {
                changed ??= traceEvent.Attributes.ToBuilder();
                changed[key] = redacted;
            }
        }

        return changed is null ? traceEvent : traceEvent with { Attributes = changed.ToImmutable() };
    }

    /// <inheritdoc/>
    public Blueprint Redact(Blueprint blueprint) =>
        BlueprintRedaction.Redact(blueprint, RedactText, value => _personal.Redact(value));
}
