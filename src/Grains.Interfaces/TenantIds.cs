using System.Text.RegularExpressions;

namespace Factory;

/// <summary>Tenant ids: 1-63 lower-case letters, digits and '-', starting with a letter.</summary>
public static partial class TenantIds
{
    /// <summary>Whether <paramref name="value"/> is a well-formed tenant id.</summary>
    public static bool IsValid(string? value) => value is not null && Pattern().IsMatch(value);

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
