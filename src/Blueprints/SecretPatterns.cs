using System.Text.RegularExpressions;

namespace Factory.Blueprints;

/// <summary>
/// Patterns of literal secret values (API keys, tokens, private keys, passwords in assignments or connection
/// strings). A blueprint must carry references (<c>vault://</c>, <c>env://</c>), never values; the validator
/// rejects any string that matches, and redaction uses the same list.
/// </summary>
public static partial class SecretPatterns
{
    private const int TimeoutMs = 250;
    private static readonly TimeSpan RetryTimeout = TimeSpan.FromSeconds(5);
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    private static readonly Regex[] Patterns =
    [
        AwsAccessKey(),
        OpenAiStyleKey(),
        StripeStyleKey(),
        GitHubToken(),
        GitHubFineGrainedToken(),
        PemPrivateKey(),
        Jwt(),
        SecretAssignment(),
        SlackToken(),
        SlackWebhook(),
        UrlCredentials(),
    ];

    /// <summary>Every pattern, in a fixed order.</summary>
    public static IReadOnlyList<Regex> All => Patterns;

    /// <summary>
    /// False when <paramref name="pattern"/> (one of <see cref="All"/>) cannot match <paramref name="text"/>, for a
    /// character each of its matches holds is missing: credentials in a URL need an <c>@</c>. A character search spares
    /// most text a scan by a pattern whose first character can be almost any.
    /// </summary>
    internal static bool MayMatch(Regex pattern, string text) => !ReferenceEquals(pattern, UrlCredentials()) || text.Contains('@');

    /// <summary>Returns true when <paramref name="value"/> contains something that looks like a secret value.</summary>
    public static bool LooksLikeSecret(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length < 8)
        {
            return false;
        }

        foreach (var pattern in Patterns)
        {
            if (!MayMatch(pattern, value))
            {
                continue;
            }

            try
            {
                if (pattern.IsMatch(value))
                {
                    return true;
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // A busy machine (a GC pause, starved cores) can run an ordinary line out of its time: try once more
                // with a far larger budget. Only a pathological input that exhausts that too is treated as suspicious
                // rather than let through.
                try
                {
                    if (Regex.IsMatch(value, pattern.ToString(), pattern.Options, RetryTimeout))
                    {
                        return true;
                    }
                }
                catch (RegexMatchTimeoutException)
                {
                    return true;
                }
            }
        }

        return false;
    }

    // AWS access key ids: AKIA (long-term), ASIA (temporary), and the rarer ABIA/ACCA prefixes.
    [GeneratedRegex(@"\b(AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b", Options, TimeoutMs)]
    private static partial Regex AwsAccessKey();

    // OpenAI/Anthropic-style keys: sk-, sk-proj-, sk-ant-... followed by a long random tail with a digit.
    [GeneratedRegex(@"\bsk-(?=[A-Za-z0-9_-]*[0-9])[A-Za-z0-9_-]{20,}", Options, TimeoutMs)]
    private static partial Regex OpenAiStyleKey();

    // Stripe-style secret and restricted keys.
    [GeneratedRegex(@"\b[rs]k_(live|test)_[A-Za-z0-9]{16,}", Options, TimeoutMs)]
    private static partial Regex StripeStyleKey();

    // GitHub classic tokens: ghp_, gho_, ghu_, ghs_, ghr_.
    [GeneratedRegex(@"\bgh[pousr]_[A-Za-z0-9]{36,}", Options, TimeoutMs)]
    private static partial Regex GitHubToken();

    // GitHub fine-grained personal access tokens.
    [GeneratedRegex(@"\bgithub_pat_[A-Za-z0-9_]{22,}", Options, TimeoutMs)]
    private static partial Regex GitHubFineGrainedToken();

    // PEM private keys (RSA, EC, OPENSSH, ENCRYPTED, plain PKCS#8).
    [GeneratedRegex(@"-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----", Options, TimeoutMs)]
    private static partial Regex PemPrivateKey();

    // JSON Web Tokens: base64url header and payload that both start with '{"'.
    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", Options, TimeoutMs)]
    private static partial Regex Jwt();

    // password=..., secret=..., apikey=..., token=... with a literal (also the Password= of connection strings);
    // placeholders such as ${X}, <x>, *** and references are not literals.
    [GeneratedRegex(@"(?i)\b(password|passwd|pwd|secret|client[_-]?secret|api[_-]?key|access[_-]?key|access[_-]?token|auth[_-]?token|token)\s*=\s*(?![""']?(\$\{|<|\*|(vault|env)://))[""']?[^\s""';,]{4,}", Options, TimeoutMs)]
    private static partial Regex SecretAssignment();

    // Slack bot, user, app and refresh tokens.
    [GeneratedRegex(@"\bxox[abposr]-[A-Za-z0-9-]{10,}", Options, TimeoutMs)]
    private static partial Regex SlackToken();

    // Slack incoming webhooks embed their secret in the URL.
    [GeneratedRegex(@"https://hooks\.slack\.com/services/[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+", Options, TimeoutMs)]
    private static partial Regex SlackWebhook();

    // Credentials embedded in a URL: scheme://user:password@host.
    [GeneratedRegex(@"\b[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]{3,}@", Options, TimeoutMs)]
    private static partial Regex UrlCredentials();
}
