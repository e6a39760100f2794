using Factory.Blueprints;

namespace Factory.Grains.Redaction;

/// <summary>
/// The one place recorded data is redacted: every trace event before it is journaled (and so before watchers,
/// bundles and replays see it), the blueprint a run records, reasons set on runs and spans. Secrets and personal
/// data are masked deterministically: the same input always gives the same bytes.
/// </summary>
public interface ITraceRedactor
{
    /// <summary>Free text with what looks like a secret or personal data masked.</summary>
    string RedactText(string text);

    /// <summary>The event with every attribute value redacted as free text.</summary>
    TraceEvent Redact(TraceEvent traceEvent);

    /// <summary>The blueprint with its free text redacted and the examples of its <c>pii</c> fields masked.</summary>
    Blueprint Redact(Blueprint blueprint);
}
