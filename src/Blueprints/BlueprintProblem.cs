using System.Globalization;

namespace Factory.Blueprints;

/// <summary>
/// One thing wrong with a blueprint: a stable code (see <see cref="BlueprintProblemCodes"/>), the path of the
/// offending node (e.g. <c>modules[1].operations[0].path</c>, or <c>$</c> for the whole document), its 1-based
/// line and column in the source text, and a message that never echoes a secret value.
/// </summary>
/// <param name="Code">Stable problem code, <c>FB001</c>..; see <see cref="BlueprintProblemCodes"/>.</param>
/// <param name="Path">Path of the offending node, e.g. <c>domain.entities[0].fields[2].maxLength</c>.</param>
/// <param name="Line">1-based line in the source text.</param>
/// <param name="Column">1-based column in the source text.</param>
/// <param name="Message">What is wrong and, where possible, how to fix it.</param>
public sealed record BlueprintProblem(string Code, string Path, int Line, int Column, string Message)
{
    /// <summary>Formats as <c>path (line L, column C): message [CODE]</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Path} (line {Line}, column {Column}): {Message} [{Code}]");
}

/// <summary>The outcome of <see cref="BlueprintLoader.Load"/>: the blueprint and every problem found.</summary>
public sealed class BlueprintLoadResult
{
    internal BlueprintLoadResult(Blueprint? blueprint, IReadOnlyList<BlueprintProblem> problems)
    {
        Problems = problems;
        if (problems.Count == 0 && blueprint is not null)
        {
            Blueprint = blueprint;
            CanonicalJson = BlueprintCanonicalForm.ToJson(blueprint);
            Hash = BlueprintCanonicalForm.Sha256Hex(CanonicalJson);
        }
        else
        {
            Blueprint = blueprint;
        }
    }

    /// <summary>
    /// The parsed blueprint (with defaults applied). When there are problems it is a best-effort model that
    /// must not be executed, or null when the text could not be parsed at all.
    /// </summary>
    public Blueprint? Blueprint { get; }

    /// <summary>Every problem found, ordered by line, column and code; empty when valid.</summary>
    public IReadOnlyList<BlueprintProblem> Problems { get; }

    /// <summary>True iff there is no problem.</summary>
    public bool IsValid => Problems.Count == 0 && Blueprint is not null;

    /// <summary>The canonical JSON form (<see cref="BlueprintCanonicalForm.ToJson"/>); set only when valid.</summary>
    public string? CanonicalJson { get; }

    /// <summary>Lower-case hex SHA-256 of <see cref="CanonicalJson"/>; set only when valid.</summary>
    public string? Hash { get; }
}

/// <summary>Thrown by <see cref="BlueprintLoader.LoadValid"/> when a blueprint has problems.</summary>
public sealed class InvalidBlueprintException : Exception
{
    /// <summary>Creates the exception for <paramref name="problems"/>; the message lists each of them.</summary>
    public InvalidBlueprintException(IReadOnlyList<BlueprintProblem> problems)
        : base(FormatMessage(problems)) => Problems = problems;

    /// <summary>Creates the exception with no problems listed (for serializers and tooling).</summary>
    public InvalidBlueprintException()
        : this([])
    {
    }

    /// <summary>Creates the exception with a custom message and no problems listed.</summary>
    public InvalidBlueprintException(string message)
        : base(message) => Problems = [];

    /// <summary>Creates the exception with a custom message, an inner exception and no problems listed.</summary>
    public InvalidBlueprintException(string message, Exception innerException)
        : base(message, innerException) => Problems = [];

    /// <summary>Every problem found in the blueprint.</summary>
    public IReadOnlyList<BlueprintProblem> Problems { get; }

    private static string FormatMessage(IReadOnlyList<BlueprintProblem> problems)
    {
        var header = string.Create(CultureInfo.InvariantCulture, $"The blueprint is invalid ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):");
        return problems.Count == 0 ? header : header + "\n" + string.Join("\n", problems.Select(p => "  " + p));
    }
}
