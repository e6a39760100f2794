using System.Text.RegularExpressions;

namespace Factory.Blueprints;

/// <summary>
/// Patterns of personal data that free text (descriptions, feedback comments, reasons, prompts) may carry:
/// e-mail addresses, phone numbers, US social security numbers, payment card numbers and IBANs. Redaction masks
/// every match before the text is recorded (journal, logs, spans, bundles).
/// </summary>
public static partial class PiiPatterns
{
    private const int TimeoutMs = 250;
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    private static readonly Regex[] Patterns =
    [
        Email(),
        PaymentCard(),
        UsSocialSecurityNumber(),
        InternationalPhone(),
        NorthAmericanPhone(),
        Iban(),
    ];

    /// <summary>Every pattern, in a fixed order. <see cref="PaymentCard"/> matches are confirmed by <see cref="IsLuhnValid"/>.</summary>
    public static IReadOnlyList<Regex> All => Patterns;

    /// <summary>The payment-card pattern, whose matches are personal data only when <see cref="IsLuhnValid"/> holds.</summary>
    public static Regex Card => PaymentCard();

    /// <summary>
    /// False when <paramref name="pattern"/> (one of <see cref="All"/>) cannot match <paramref name="text"/>, for a
    /// character each of its matches holds is missing: an e-mail address needs an <c>@</c>. A character search spares
    /// most text a scan by a pattern whose first character can be almost any.
    /// </summary>
    internal static bool MayMatch(Regex pattern, string text) => !ReferenceEquals(pattern, Email()) || text.Contains('@');

    /// <summary>Whether the digits of <paramref name="value"/> (other characters ignored) pass the Luhn check.</summary>
    public static bool IsLuhnValid(ReadOnlySpan<char> value)
    {
        var sum = 0;
        var digits = 0;
        for (var i = value.Length - 1; i >= 0; i--)
        {
            var c = value[i];
            if (c is < '0' or > '9')
            {
                continue;
            }

            var d = c - '0';
            if (digits % 2 == 1)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            digits++;
        }

        return digits >= 12 && sum % 10 == 0;
    }

    [GeneratedRegex(@"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b", Options, TimeoutMs)]
    private static partial Regex Email();

    // 13 to 19 digits, optionally grouped by spaces or dashes.
    [GeneratedRegex(@"\b[0-9](?:[ -]?[0-9]){12,18}\b", Options, TimeoutMs)]
    private static partial Regex PaymentCard();

    [GeneratedRegex(@"\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b", Options, TimeoutMs)]
    private static partial Regex UsSocialSecurityNumber();

    // +CC then 6 to 14 more digits, grouped by spaces, dashes, dots or parentheses.
    [GeneratedRegex(@"\+[0-9]{1,3}(?:[ .-]?\(?[0-9]{1,4}\)?){2,5}[0-9]", Options, TimeoutMs)]
    private static partial Regex InternationalPhone();

    // (555) 123-4567, 555-123-4567, 555.123.4567.
    [GeneratedRegex(@"(\([0-9]{3}\) ?|\b[0-9]{3}[.-])[0-9]{3}[.-][0-9]{4}\b", Options, TimeoutMs)]
    private static partial Regex NorthAmericanPhone();

    [GeneratedRegex(@"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,4})?\b", Options, TimeoutMs)]
    private static partial Regex Iban();
}
