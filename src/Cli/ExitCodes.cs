namespace Factory.Cli;

/// <summary>The <c>factory</c> command's exit codes.</summary>
public static class ExitCodes
{
    /// <summary>The run succeeded (for <c>validate</c>, the blueprint is valid; for <c>diff</c> and <c>replay</c>, nothing differs).</summary>
    public const int Success = 0;
    /// <summary>The run failed; the reason is printed and in the trace. For the gateway's client verbs also: the gateway is not reachable, a quota was exceeded, or another failure; for <c>db init</c>, the database cannot be reached or initialized.</summary>
    public const int RunFailed = 1;
    /// <summary>For <c>diff</c>, the runs differ; for <c>replay</c>, an artifact's hash or the artifact set differs, or the replay cannot reproduce the run.</summary>
    public const int Differences = 1;
    /// <summary>Bad input: an invalid blueprint or bundle, an unknown run, or bad arguments; for the client verbs also a missing, unknown or unauthorized key, or a run that has not ended yet. Nothing was started.</summary>
    public const int InvalidInput = 2;
    /// <summary>A gate blocked the run.</summary>
    public const int RunBlocked = 3;
    /// <summary>Interrupted (Ctrl+C) or cancelled.</summary>
    public const int Cancelled = 130;
}
