using System.Collections.Immutable;
using Factory.Blueprints;
using Microsoft.Extensions.Compliance.Redaction;

namespace Factory.Grains.Redaction;

/// <summary><see cref="ITraceRedactor"/> on the redactors registered for <see cref="FactoryTaxonomy"/>.</summary>
public sealed class TraceRedactor(IRedactorProvider redactors) : ITraceRedactor
{
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
