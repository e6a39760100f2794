using System.Diagnostics;
using OpenTelemetry;

namespace Factory.Grains.Redaction;

/// <summary>
/// Redacts every span before it is exported: string tag values and the status description pass through
/// <see cref="ITraceRedactor.RedactText"/>. Covers spans Factory does not start itself (Orleans, ASP.NET Core,
/// gRPC).
/// </summary>
public sealed class RedactingActivityProcessor(ITraceRedactor redactor) : BaseProcessor<Activity>
{
    /// <inheritdoc/>
    public override void OnEnd(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        foreach (var tag in data.TagObjects.ToList())
        {
            if (tag.Value is string text)
            {
                var redacted = redactor.RedactText(text);
                if (!string.Equals(redacted, text, StringComparison.Ordinal))
                {
                    data.SetTag(tag.Key, redacted);
                }
            }
        }

        if (data.StatusDescription is { Length: > 0 } description)
        {
            var redacted = redactor.RedactText(description);
            if (!string.Equals(redacted, description, StringComparison.Ordinal))
            {
                data.SetStatus(data.Status, redacted);
            }
        }
    }
}
