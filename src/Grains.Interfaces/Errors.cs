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

/// <summary>A tenant went over a quota of its edition; nothing was started.</summary>
[GenerateSerializer, Alias("Factory.QuotaExceededException")]
public sealed class QuotaExceededException : FactoryException
{
    /// <summary>Creates the exception.</summary>
    public QuotaExceededException(string tenantId, string quota, long limit, long requested)
        : base($"Tenant '{tenantId}' is over its {quota} quota: the limit is {limit}, this request needs {requested}.")
    {
        TenantId = tenantId;
        Quota = quota;
        Limit = limit;
        Requested = requested;
    }

    /// <summary>The tenant.</summary>
    [Id(0)] public string TenantId { get; }

    /// <summary>Which quota: <c>concurrent-runs</c>, <c>runs-per-minute</c>, <c>blueprint-bytes</c> or <c>modules</c>.</summary>
    [Id(1)] public string Quota { get; }

    /// <summary>The edition's limit.</summary>
    [Id(2)] public long Limit { get; }

    /// <summary>What the request would have needed.</summary>
    [Id(3)] public long Requested { get; }
}

/// <summary>An operator named a tenant that was never created.</summary>
[GenerateSerializer, Alias("Factory.TenantNotFoundException")]
public sealed class TenantNotFoundException : FactoryException
{
    /// <summary>Creates the exception.</summary>
    public TenantNotFoundException(string tenantId) : base($"Tenant '{tenantId}' was not found.") => TenantId = tenantId;

    /// <summary>The tenant.</summary>
    [Id(0)] public string TenantId { get; }
}

/// <summary>An operator created a tenant that exists already.</summary>
[GenerateSerializer, Alias("Factory.TenantExistsException")]
public sealed class TenantExistsException : FactoryException
{
    /// <summary>Creates the exception.</summary>
    public TenantExistsException(string tenantId) : base($"Tenant '{tenantId}' exists already.") => TenantId = tenantId;

    /// <summary>The tenant.</summary>
    [Id(0)] public string TenantId { get; }
}

/// <summary>An edition name that is not configured.</summary>
[GenerateSerializer, Alias("Factory.UnknownEditionException")]
public sealed class UnknownEditionException : FactoryException
{
    /// <summary>Creates the exception.</summary>
    public UnknownEditionException(string edition, IReadOnlyList<string> known)
        : base($"Edition '{edition}' is not configured; known editions: {string.Join(", ", known)}.") => Edition = edition;

    /// <summary>The edition asked for.</summary>
    [Id(0)] public string Edition { get; }
}

/// <summary>A blueprint name@version is registered already with other content.</summary>
[GenerateSerializer, Alias("Factory.BlueprintVersionConflictException")]
public sealed class BlueprintVersionConflictException : FactoryException
{
    /// <summary>Creates the exception.</summary>
    public BlueprintVersionConflictException(string name, string version, string registeredSha256)
        : base($"Blueprint {name}@{version} is registered already with other content (sha256 {registeredSha256}); registered versions are immutable: bump the version.")
    {
        Name = name;
        Version = version;
        RegisteredSha256 = registeredSha256;
    }

    /// <summary>Blueprint name.</summary>
    [Id(0)] public string Name { get; }

    /// <summary>Blueprint version.</summary>
    [Id(1)] public string Version { get; }

    /// <summary>Hash of the registered content.</summary>
    [Id(2)] public string RegisteredSha256 { get; }
}
