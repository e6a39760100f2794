using System.Collections.Immutable;

namespace Factory.Grains.Tenants;

/// <summary>Persistent state of the tenant directory.</summary>
[GenerateSerializer, Alias("Factory.Grains.TenantDirectoryState")]
public sealed class TenantDirectoryState
{
    /// <summary>Created tenants, in creation order.</summary>
    [Id(0)] public List<string> Tenants { get; set; } = [];
}

/// <summary>
/// The tenants operators created (key <see cref="Key"/>). Only tenant administration calls it, never the
/// submission path, so it serializes nothing tenants do.
/// </summary>
public sealed class TenantDirectoryGrain(
    [PersistentState("tenants", FactoryNames.GrainStorage)] IPersistentState<TenantDirectoryState> state) : Grain, ITenantDirectoryGrain
{
    /// <summary>The key of the one directory.</summary>
    public const string Key = "all";

    /// <inheritdoc/>
    public async Task AddAsync(string tenantId)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        if (!state.State.Tenants.Contains(tenantId))
        {
            state.State.Tenants.Add(tenantId);
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc/>
    public Task<ImmutableArray<string>> ListAsync() => Task.FromResult(state.State.Tenants.ToImmutableArray());
}
