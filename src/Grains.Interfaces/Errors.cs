namespace Factory;

/// <summary>Base of Factory's own errors; each subtype carries typed data.</summary>
[GenerateSerializer, Alias("Factory.FactoryException")]
public class FactoryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FactoryException(string message) : base(message) { }

    /// <summary>Creates the exception with a cause.</summary>
    public FactoryException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>No run with <see cref="RunId"/> exists (for the caller's tenant).</summary>
[GenerateSerializer, Alias("Factory.RunNotFoundException")]
public sealed class RunNotFoundException : FactoryException
{
    /// <summary>Creates the exception.</summary>
    public RunNotFoundException(string runId) : base($"Run '{runId}' was not found.") => RunId = runId;

    /// <summary>The run id asked for.</summary>
    [Id(0)] public string RunId { get; }
}

/// <summary>A submitted blueprint is not valid; <see cref="Problems"/> lists every problem.</summary>
[GenerateSerializer, Alias("Factory.BlueprintRejectedException")]
public sealed class BlueprintRejectedException : FactoryException
{
    /// <summary>Creates the exception.</summary>
    public BlueprintRejectedException(IReadOnlyList<string> problems)
        : base("The blueprint is not valid:" + Environment.NewLine + string.Join(Environment.NewLine, problems)) => Problems = [.. problems];

    /// <summary>Each problem, "path (line L, column C): message [code]".</summary>
    [Id(0)] public string[] Problems { get; }
}
