using Factory.Blueprints;
using Microsoft.Extensions.Compliance.Redaction;

namespace Factory.Grains.Redaction;

/// <summary>
/// The fixed masks Factory records in place of sensitive data. They are deterministic (the same input always
/// gives the same bytes, so bundles and replays stay byte-identical), and redacting a masked text again leaves it
/// unchanged.
/// </summary>
public static class RedactionMasks
{
    /// <summary>What a secret becomes.</summary>
    public const string Secret = "***secret***";

    /// <summary>What personal data becomes.</summary>
    public const string PersonalData = "***pii***";

    /// <summary>The mask for <paramref name="kind"/>.</summary>
    public static string For(SensitiveKind kind) => kind == SensitiveKind.Secret ? Secret : PersonalData;
}

/// <summary>
/// Redacts <see cref="FactoryTaxonomy.FreeText"/>: every span matching <see cref="SecretPatterns"/> or
/// <see cref="PiiPatterns"/> is replaced by its <see cref="RedactionMasks">mask</see>; the rest is kept.
/// </summary>
public sealed class FreeTextRedactor : Redactor
{
    /// <inheritdoc/>
    public override int GetRedactedLength(ReadOnlySpan<char> input) => Mask(input).Length;

    /// <inheritdoc/>
    public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
    {
        var masked = Mask(source);
        masked.AsSpan().CopyTo(destination);
        return masked.Length;
    }

    private static string Mask(ReadOnlySpan<char> input) =>
        input.IsEmpty ? "" : SensitiveText.Mask(input.ToString(), (kind, _) => RedactionMasks.For(kind));
}

/// <summary>Redacts a value that is sensitive as a whole to a fixed mask.</summary>
public abstract class FixedMaskRedactor(string mask) : Redactor
{
    /// <inheritdoc/>
    public override int GetRedactedLength(ReadOnlySpan<char> input) => input.IsEmpty ? 0 : mask.Length;

    /// <inheritdoc/>
    public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
    {
        if (source.IsEmpty)
        {
            return 0;
        }

        mask.AsSpan().CopyTo(destination);
        return mask.Length;
    }
}

/// <summary>Redacts <see cref="FactoryTaxonomy.PersonalData"/> to <see cref="RedactionMasks.PersonalData"/>.</summary>
public sealed class PersonalDataRedactor() : FixedMaskRedactor(RedactionMasks.PersonalData);

/// <summary>Redacts <see cref="FactoryTaxonomy.Secret"/> (and anything unclassified) to <see cref="RedactionMasks.Secret"/>.</summary>
public sealed class SecretRedactor() : FixedMaskRedactor(RedactionMasks.Secret);
