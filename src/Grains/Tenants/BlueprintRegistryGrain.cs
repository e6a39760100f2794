using System.Collections.Immutable;
using Factory.Blueprints;
using Semver;

namespace Factory.Grains.Tenants;

/// <summary>Persistent state of a tenant's blueprint registry.</summary>
[GenerateSerializer, Alias("Factory.Grains.BlueprintRegistryState")]
public sealed class BlueprintRegistryState
{
    /// <summary>Registered blueprints by "name@version".</summary>
    [Id(0)] public Dictionary<string, RegisteredBlueprint> Entries { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// A tenant's registered blueprints (key: the tenant id): each name@version is immutable once registered.
/// </summary>
public sealed class BlueprintRegistryGrain(
    [PersistentState("blueprints", FactoryNames.GrainStorage)] IPersistentState<BlueprintRegistryState> state,
    TimeProvider time) : Grain, IBlueprintRegistryGrain
{
    /// <inheritdoc/>
    public async Task<RegisteredBlueprint> RegisterAsync(string canonicalJson)
    {
        ArgumentNullException.ThrowIfNull(canonicalJson);
        var loaded = BlueprintLoader.Load(canonicalJson, "registered blueprint");
        if (!loaded.IsValid || loaded.Blueprint is null || loaded.CanonicalJson is null || loaded.Hash is null)
        {
            throw new BlueprintRejectedException([.. loaded.Problems.Select(p => p.ToString())]);
        }

        var name = loaded.Blueprint.Metadata.Name;
        var version = loaded.Blueprint.Metadata.Version;
        var key = Key(name, version);
        if (state.State.Entries.TryGetValue(key, out var existing))
        {
            return existing.Sha256 == loaded.Hash ? existing : throw new BlueprintVersionConflictException(name, version, existing.Sha256);
        }

        var entry = new RegisteredBlueprint(name, version, loaded.Hash, loaded.CanonicalJson, time.GetUtcNow());
        state.State.Entries[key] = entry;
        await state.WriteStateAsync();
        return entry;
    }

    /// <inheritdoc/>
    public Task<RegisteredBlueprint?> GetAsync(string name, string version) =>
        Task.FromResult(state.State.Entries.GetValueOrDefault(Key(name, version)));

    /// <inheritdoc/>
    public Task<ImmutableArray<RegisteredBlueprint>> ListAsync() => Task.FromResult(state.State.Entries.Values
        .OrderBy(e => e.Name, StringComparer.Ordinal)
        .ThenBy(e => e.Version, VersionPrecedence.Instance)
        .ThenBy(e => e.Version, StringComparer.Ordinal)
        .Select(e => e with { CanonicalJson = "" })
        .ToImmutableArray());

    private static string Key(string name, string version) => $"{name}@{version}";

    /// <summary>SemVer precedence; a version that does not parse sorts after those that do.</summary>
    private sealed class VersionPrecedence : IComparer<string>
    {
        public static readonly VersionPrecedence Instance = new();

        public int Compare(string? x, string? y)
        {
            var hasX = SemVersion.TryParse(x, SemVersionStyles.Strict, out var vx);
            var hasY = SemVersion.TryParse(y, SemVersionStyles.Strict, out var vy);
            return (hasX, hasY) switch
            {
                (true, true) => SemVersion.ComparePrecedence(vx, vy),
                (true, false) => -1,
                (false, true) => 1,
                _ => 0,
            };
        }
    }
}
