namespace Factory.Grains.Tenants;

// Tenancy (editions, quotas, keys, the run query) is not part of this build: these members answer NotSupportedException.
public sealed partial class TenantGrain
{
    /// <inheritdoc/>
    public Task<RunPage> QueryRunsAsync(RunQuery query) => throw NotInThisBuild();

    /// <inheritdoc/>
    public Task<bool> OwnsRunAsync(string runId) => throw NotInThisBuild();

    /// <inheritdoc/>
    public Task OnRunEndedAsync(string runId, RunStatus status) => throw NotInThisBuild();

    /// <inheritdoc/>
    public Task<TenantInfo> GetInfoAsync() => throw NotInThisBuild();

    /// <inheritdoc/>
    public Task<TenantInfo> CreateAsync(string edition) => throw NotInThisBuild();

    /// <inheritdoc/>
    public Task<TenantInfo> SetEditionAsync(string edition) => throw NotInThisBuild();

    /// <inheritdoc/>
    public Task<EditionLimits> GetLimitsAsync() => throw NotInThisBuild();

    /// <inheritdoc/>
    public Task<IssuedApiKey> IssueApiKeyAsync() => throw NotInThisBuild();

    /// <inheritdoc/>
    public Task RevokeApiKeyAsync(string keyId) => throw NotInThisBuild();

    private static NotSupportedException NotInThisBuild() => new("Tenant administration is not available in this build.");
}
