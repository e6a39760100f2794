namespace Factory.Cli;

/// <summary>The <c>factory</c> command's exit codes.</summary>
public static class ExitCodes
{
    /// <summary>The run succeeded (or, for <c>validate</c>, the blueprint is valid).</summary>
    public const int Success = 0;
    /// <summary>The run failed; the reason is printed and in the trace.</summary>
    public const int RunFailed = 1;
    /// <summary>Bad input: an invalid blueprint or bad arguments. Nothing was started.</summary>
    public const int InvalidInput = 2;
    /// <summary>A gate blocked the run.</summary>
    public const int RunBlocked = 3;
    /// <summary>Interrupted (Ctrl+C) or cancelled.</summary>
    public const int Cancelled = 130;
}
