using System.Collections.Immutable;

namespace Factory;

/// <summary>What an edition allows a tenant: its quotas.</summary>
/// <param name="Edition">The edition's name, e.g. <c>free</c>.</param>
/// <param name="MaxConcurrentRuns">Runs in flight at once.</param>
/// <param name="RunsPerMinute">Runs submitted in any sliding minute.</param>
/// <param name="MaxBlueprintBytes">Size of a submitted blueprint's canonical JSON.</param>
/// <param name="MaxModules">Modules in a submitted blueprint.</param>
[GenerateSerializer, Immutable, Alias("Factory.EditionLimits")]
public sealed record EditionLimits(
    [property: Id(0)] string Edition,
    [property: Id(1)] int MaxConcurrentRuns,
    [property: Id(2)] int RunsPerMinute,
    [property: Id(3)] int MaxBlueprintBytes,
    [property: Id(4)] int MaxModules);

/// <summary>A tenant as operators see it.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="Edition">Its edition.</param>
/// <param name="CreatedAt">When an operator created it.</param>
/// <param name="ActiveKeys">API keys not revoked.</param>
/// <param name="RunsInFlight">Runs started and not yet ended.</param>
/// <param name="RunsTotal">Runs ever submitted.</param>
[GenerateSerializer, Immutable, Alias("Factory.TenantInfo")]
public sealed record TenantInfo(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string Edition,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] int ActiveKeys,
    [property: Id(4)] int RunsInFlight,
    [property: Id(5)] long RunsTotal)
{
    /// <summary>What the tenant's ended runs cost in total, in US dollars.</summary>
    [Id(6)] public decimal CostUsd { get; init; }
}

/// <summary>A newly issued API key: the secret is returned once and stored only as its SHA-256.</summary>
/// <param name="KeyId">Public identifier of the key (for listing and revoking).</param>
/// <param name="Secret">The bearer token itself. Never stored, never logged.</param>
[GenerateSerializer, Immutable, Alias("Factory.IssuedApiKey")]
public sealed record IssuedApiKey(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string Secret);

/// <summary>Whom an API key authenticates.</summary>
/// <param name="TenantId">The tenant the key is bound to.</param>
/// <param name="KeyId">The key's public identifier.</param>
[GenerateSerializer, Immutable, Alias("Factory.ApiKeyIdentity")]
public sealed record ApiKeyIdentity(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string KeyId);

/// <summary>A page of a tenant's runs, newest first, filtered.</summary>
[GenerateSerializer, Immutable, Alias("Factory.RunQuery")]
public sealed record RunQuery
{
    /// <summary>At most this many (1..500). Default 50.</summary>
    [Id(0)] public int PageSize { get; init; } = 50;

    /// <summary>The token of the previous page's end, or empty for the first page.</summary>
    [Id(1)] public string PageToken { get; init; } = "";

    /// <summary>Only runs with this status (<see cref="RunStatus.None"/>: any).</summary>
    [Id(2)] public RunStatus Status { get; init; }

    /// <summary>Only runs of this blueprint name (empty: any).</summary>
    [Id(3)] public string BlueprintName { get; init; } = "";

    /// <summary>Only runs submitted at or after this time.</summary>
    [Id(4)] public DateTimeOffset? SubmittedAfter { get; init; }

    /// <summary>Only runs submitted before this time.</summary>
    [Id(5)] public DateTimeOffset? SubmittedBefore { get; init; }
}

/// <summary>A page of runs and the token of the next one (empty when this is the last).</summary>
/// <param name="Runs">The runs, newest first.</param>
/// <param name="NextPageToken">Pass it back for the next page; empty at the end.</param>
[GenerateSerializer, Immutable, Alias("Factory.RunPage")]
public sealed record RunPage(
    [property: Id(0)] ImmutableArray<TenantRunEntry> Runs,
    [property: Id(1)] string NextPageToken);

/// <summary>A score and comment on a run or a part of it, recorded in the run's trace.</summary>
[GenerateSerializer, Immutable, Alias("Factory.Feedback")]
public sealed record Feedback
{
    /// <summary>1 (poor) to 5 (excellent).</summary>
    [Id(0)] public required int Score { get; init; }

    /// <summary>Free text (at most 2,000 characters); redacted like every event attribute.</summary>
    [Id(1)] public string Comment { get; init; } = "";

    /// <summary>The module it is about, or empty for the whole run.</summary>
    [Id(2)] public string Module { get; init; } = "";

    /// <summary>The agent role it is about, or empty.</summary>
    [Id(3)] public string Agent { get; init; } = "";

    /// <summary>The artifact path it is about, or empty.</summary>
    [Id(4)] public string ArtifactPath { get; init; } = "";

    /// <summary>Who gave it: the caller's API key id.</summary>
    [Id(5)] public string By { get; init; } = "";
}

/// <summary>A blueprint registered under its name and SemVer version, immutable once registered.</summary>
/// <param name="Name">Blueprint name.</param>
/// <param name="Version">Blueprint version.</param>
/// <param name="Sha256">Canonical hash.</param>
/// <param name="CanonicalJson">Canonical JSON.</param>
/// <param name="RegisteredAt">When it was registered.</param>
[GenerateSerializer, Immutable, Alias("Factory.RegisteredBlueprint")]
public sealed record RegisteredBlueprint(
    [property: Id(0)] string Name,
    [property: Id(1)] string Version,
    [property: Id(2)] string Sha256,
    [property: Id(3)] string CanonicalJson,
    [property: Id(4)] DateTimeOffset RegisteredAt);

/// <summary>An API key, keyed by the SHA-256 (lower-case hex) of its secret: which tenant it is bound to, and whether it is revoked.</summary>
[Alias("Factory.IApiKeyGrain")]
public interface IApiKeyGrain : IGrainWithStringKey
{
    /// <summary>The identity the key authenticates, or null when the key is unknown or revoked.</summary>
    [Alias("Authenticate"), Orleans.Concurrency.ReadOnly]
    Task<ApiKeyIdentity?> AuthenticateAsync();

    /// <summary>Binds the key to a tenant (called by the tenant that issued it). Idempotent.</summary>
    [Alias("Bind")]
    Task BindAsync(ApiKeyIdentity identity);

    /// <summary>Revokes the key. Idempotent.</summary>
    [Alias("Revoke")]
    Task RevokeAsync();
}

/// <summary>The registry of tenants operators created; key: <c>all</c>.</summary>
[Alias("Factory.ITenantDirectoryGrain")]
public interface ITenantDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Records a created tenant. Idempotent.</summary>
    [Alias("Add")]
    Task AddAsync(string tenantId);

    /// <summary>Every created tenant id, in creation order.</summary>
    [Alias("List")]
    Task<ImmutableArray<string>> ListAsync();
}

/// <summary>A tenant's registered blueprints; key: the tenant id.</summary>
[Alias("Factory.IBlueprintRegistryGrain")]
public interface IBlueprintRegistryGrain : IGrainWithStringKey
{
    /// <summary>
    /// Registers a validated blueprint's canonical JSON under its name and version. Registering the same
    /// content again returns the existing entry; other content under a registered name@version is refused.
    /// </summary>
    /// <exception cref="BlueprintVersionConflictException">name@version is registered with other content.</exception>
    [Alias("Register")]
    Task<RegisteredBlueprint> RegisterAsync(string canonicalJson);

    /// <summary>The blueprint registered as <paramref name="name"/>@<paramref name="version"/>, or null.</summary>
    [Alias("Get")]
    Task<RegisteredBlueprint?> GetAsync(string name, string version);

    /// <summary>Every registered blueprint (without its JSON), by name then version precedence.</summary>
    [Alias("List")]
    Task<ImmutableArray<RegisteredBlueprint>> ListAsync();
}
