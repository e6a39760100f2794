namespace Factory.Blueprints;

/// <summary>
/// Collects problems for one document, keeps the source position of every path the parser read, and keeps
/// at most one problem per path (the first, which is the most fundamental: a later check on a node that is
/// already wrong would only repeat it).
/// </summary>
internal sealed class ProblemSink
{
    private const int MaxQuotedLength = 60;

    private readonly List<BlueprintProblem> _problems = [];
    private readonly HashSet<string> _paths = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Line, int Column)> _locations = new(StringComparer.Ordinal);

    public int Count => _problems.Count;

    public bool HasProblemAt(string path) => _paths.Contains(path);

    public void Remember(string path, int line, int column) => _locations.TryAdd(path, (line, column));

    public void Add(string code, string path, int line, int column, string message)
    {
        if (_paths.Add(path))
        {
            _problems.Add(new BlueprintProblem(code, path, line, column, message));
        }
    }

    /// <summary>Adds a problem located at <paramref name="path"/>, or at its nearest located ancestor.</summary>
    public void Add(string code, string path, string message)
    {
        var (line, column) = Locate(path);
        Add(code, path, line, column, message);
    }

    public (int Line, int Column) Locate(string path)
    {
        var candidate = path;
        while (true)
        {
            if (_locations.TryGetValue(candidate, out var location))
            {
                return location;
            }

            var cut = Math.Max(candidate.LastIndexOf('.'), candidate.LastIndexOf('['));
            if (cut <= 0)
            {
                return _locations.TryGetValue("$", out var root) ? root : (1, 1);
            }

            candidate = candidate[..cut];
        }
    }

    /// <summary>The problems ordered by position, then code and path, capped at <see cref="BlueprintLimits.MaxProblems"/>.</summary>
    public IReadOnlyList<BlueprintProblem> ToList()
    {
        var ordered = _problems
            .OrderBy(p => p.Line)
            .ThenBy(p => p.Column)
            .ThenBy(p => p.Code, StringComparer.Ordinal)
            .ThenBy(p => p.Path, StringComparer.Ordinal)
            .ToList();
        if (ordered.Count <= BlueprintLimits.MaxProblems)
        {
            return ordered;
        }

        var kept = ordered.Take(BlueprintLimits.MaxProblems).ToList();
        kept.Add(new BlueprintProblem(BlueprintProblemCodes.TooManyProblems, "$", 1, 1, $"{ordered.Count - BlueprintLimits.MaxProblems} more problems not listed (BlueprintLimits.MaxProblems = {BlueprintLimits.MaxProblems})"));
        return kept;
    }

    /// <summary>A value as it may appear in a message: never a secret, never very long.</summary>
    public static string Quote(string value)
    {
        if (SecretPatterns.LooksLikeSecret(value))
        {
            return "<redacted>";
        }

        var flat = value.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        return flat.Length <= MaxQuotedLength ? flat : string.Concat(flat.AsSpan(0, MaxQuotedLength), "...");
    }
}
