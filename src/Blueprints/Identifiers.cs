using System.Text.RegularExpressions;

namespace Factory.Blueprints;

/// <summary>Identifier patterns and helpers shared by the parser and the validator.</summary>
internal static partial class Identifiers
{
    private const int TimeoutMs = 250;
    private const RegexOptions Options = RegexOptions.CultureInvariant;

    public static bool IsPascalCase(string value) => PascalCase().IsMatch(value);

    public static bool IsCamelCase(string value) => CamelCase().IsMatch(value);

    public static bool IsKebabCase(string value) => KebabCase().IsMatch(value);

    public static bool IsScope(string value) => Scope().IsMatch(value);

    public static bool IsSecretRef(string value) => SecretRef().IsMatch(value);

    public static bool IsSemVer(string value) => SemVer().IsMatch(value);

    public static bool IsPathSegment(string value) => PathSegment().IsMatch(value);

    /// <summary>Upper-cases the first character (the name a field gets as a C# property).</summary>
    public static string ToPascalCase(string name) =>
        name.Length == 0 ? name : string.Concat(char.ToUpperInvariant(name[0]).ToString(), name.AsSpan(1));

    /// <summary>Returns the candidate closest to <paramref name="value"/> when it is close enough to be a likely typo.</summary>
    public static string? Suggest(string value, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(value.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }

        var threshold = Math.Max(2, Math.Min(value.Length, best?.Length ?? 0) / 3);
        return best is not null && bestDistance <= threshold ? best : null;
    }

    /// <summary>Levenshtein distance (inputs are short: keys and rule ids).</summary>
    private static int Distance(string a, string b)
    {
        if (a.Length > 100 || b.Length > 100)
        {
            return int.MaxValue;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    [GeneratedRegex(@"^[A-Z][A-Za-z0-9]{0,63}\z", Options, TimeoutMs)]
    private static partial Regex PascalCase();

    [GeneratedRegex(@"^[a-z][A-Za-z0-9]{0,63}\z", Options, TimeoutMs)]
    private static partial Regex CamelCase();

    [GeneratedRegex(@"^[a-z][a-z0-9]*(-[a-z0-9]+)*\z", Options, TimeoutMs)]
    private static partial Regex KebabCase();

    [GeneratedRegex(@"^[a-z][a-z0-9-]*([.:][a-z][a-z0-9-]*)*\z", Options, TimeoutMs)]
    private static partial Regex Scope();

    [GeneratedRegex(@"^(vault|env)://[A-Za-z0-9_./-]+\z", Options, TimeoutMs)]
    private static partial Regex SecretRef();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]*\z", Options, TimeoutMs)]
    private static partial Regex PathSegment();

    // The regular expression recommended by semver.org for SemVer 2.0.
    [GeneratedRegex(@"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-((0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?(\+([0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*))?\z", Options, TimeoutMs)]
    private static partial Regex SemVer();
}
