using System.Text.RegularExpressions;

namespace Factory.Blueprints;

/// <summary>What a sensitive span of text is.</summary>
public enum SensitiveKind
{
    /// <summary>Matches one of <see cref="SecretPatterns"/>.</summary>
    Secret,
    /// <summary>Matches one of <see cref="PiiPatterns"/>.</summary>
    PersonalData,
}

/// <summary>A span of text that must not be recorded in clear.</summary>
/// <param name="Start">Index of its first character.</param>
/// <param name="Length">Its length.</param>
/// <param name="Kind">What it is.</param>
public readonly record struct SensitiveSpan(int Start, int Length, SensitiveKind Kind);

/// <summary>Finds secrets and personal data in free text, and masks them.</summary>
public static class SensitiveText
{
    /// <summary>
    /// The sensitive spans of <paramref name="text"/>, in order, overlapping matches merged (a secret wins over
    /// personal data). A pattern that times out on a pathological input marks the whole text as a secret.
    /// </summary>
    public static IReadOnlyList<SensitiveSpan> Find(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length < 6)
        {
            return [];
        }

        var found = new List<SensitiveSpan>();
        try
        {
            Collect(found, SecretPatterns.All, SecretPatterns.MayMatch, text, SensitiveKind.Secret);
            Collect(found, PiiPatterns.All, PiiPatterns.MayMatch, text, SensitiveKind.PersonalData);
        }
        catch (RegexMatchTimeoutException)
        {
            return [new SensitiveSpan(0, text.Length, SensitiveKind.Secret)];
        }

        if (found.Count <= 1)
        {
            return found;
        }

        found.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
        var merged = new List<SensitiveSpan> { found[0] };
        foreach (var span in found.Skip(1))
        {
            var last = merged[^1];
            if (span.Start < last.Start + last.Length)
            {
                var end = Math.Max(last.Start + last.Length, span.Start + span.Length);
                var kind = last.Kind == SensitiveKind.Secret || span.Kind == SensitiveKind.Secret ? SensitiveKind.Secret : SensitiveKind.PersonalData;
                merged[^1] = new SensitiveSpan(last.Start, end - last.Start, kind);
            }
            else
            {
                merged.Add(span);
            }
        }

        return merged;
    }

    /// <summary>
    /// <paramref name="text"/> with each sensitive span replaced by <paramref name="mask"/>'s answer for it;
    /// the same instance when nothing is sensitive.
    /// </summary>
    public static string Mask(string text, Func<SensitiveKind, string, string> mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var spans = Find(text);
        if (spans.Count == 0)
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length);
        var at = 0;
        foreach (var span in spans)
        {
            builder.Append(text, at, span.Start - at);
            builder.Append(mask(span.Kind, text.Substring(span.Start, span.Length)));
            at = span.Start + span.Length;
        }

        builder.Append(text, at, text.Length - at);
        return builder.ToString();
    }

    private static void Collect(List<SensitiveSpan> found, IReadOnlyList<Regex> patterns, Func<Regex, string, bool> mayMatch, string text, SensitiveKind kind)
    {
        foreach (var pattern in patterns)
        {
            if (!mayMatch(pattern, text))
            {
                continue;
            }

            for (var match = pattern.Match(text); match.Success; match = match.NextMatch())
            {
                if (ReferenceEquals(pattern, PiiPatterns.Card) && !PiiPatterns.IsLuhnValid(match.ValueSpan))
                {
                    continue;
                }

                found.Add(new SensitiveSpan(match.Index, match.Length, kind));
            }
        }
    }
}
