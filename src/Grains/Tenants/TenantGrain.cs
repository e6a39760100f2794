using System.Collections.Immutable;
using Semver;

namespace Factory.Grains.Tenants;

/// <summary>Persistent state of a tenant.</summary>
[GenerateSerializer, Alias("Factory.Grains.TenantState")]
public sealed class TenantState
{
    /// <summary>The tenant's runs, oldest first (the most recent <see cref="TenantGrain.IndexCapacity"/>).</summary>
    [Id(0)] public List<TenantRunEntry> Runs { get; set; } = [];

    /// <summary>Run id by idempotency key.</summary>
    [Id(1)] public Dictionary<string, string> IdempotencyKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The promoted release with the highest version, by blueprint name.</summary>
    [Id(2)] public Dictionary<string, PromotedRelease> Promoted { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// A tenant: assigns run ids, starts runs and keeps the tenant's run index. Submitting returns as
/// soon as the run has dispatched its first tasks; nobody waits on a whole run.
/// </summary>
public sealed partial class TenantGrain(
    [PersistentState("tenant", FactoryNames.GrainStorage)] IPersistentState<TenantState> state,
    TimeProvider time) : Grain, ITenantGrain
{
    /// <summary>How many runs the index keeps.</summary>
    public const int IndexCapacity = 10_000;

    /// <inheritdoc/>
    public async Task<RunSubmission> SubmitRunAsync(RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.IdempotencyKey.Length > 0 && state.State.IdempotencyKeys.TryGetValue(request.IdempotencyKey, out var existing))
        {
            var known = await GrainFactory.GetGrain<IRunGrain>(existing).GetSnapshotAsync();
            return new RunSubmission(existing, known.TraceId, Existing: true);
        }

        var now = time.GetUtcNow();
        var runId = Guid.CreateVersion7(now).ToString("N");
        var snapshot = await GrainFactory.GetGrain<IRunGrain>(runId).StartAsync(new RunStart
        {
            TenantId = this.GetPrimaryKeyString(),
            BlueprintJson = request.BlueprintJson,
            SubmittedAt = now,
            BaselineBlueprintJson = request.BaselineBlueprintJson,
        });

        state.State.Runs.Add(new TenantRunEntry(runId, snapshot.BlueprintName, snapshot.BlueprintVersion, now));
        if (state.State.Runs.Count > IndexCapacity)
        {
            state.State.Runs.RemoveRange(0, state.State.Runs.Count - IndexCapacity);
        }

        if (request.IdempotencyKey.Length > 0)
        {
            state.State.IdempotencyKeys[request.IdempotencyKey] = runId;
        }

        await state.WriteStateAsync();
        return new RunSubmission(runId, snapshot.TraceId, Existing: false);
    }

    /// <inheritdoc/>
    public Task<ImmutableArray<TenantRunEntry>> ListRunsAsync(int max)
    {
        var runs = state.State.Runs;
        var take = Math.Clamp(max, 0, runs.Count);
        return Task.FromResult(runs.Skip(runs.Count - take).Reverse().ToImmutableArray());
    }

    /// <inheritdoc/>
    public Task<PromotedRelease?> GetPromotedAsync(string blueprintName) =>
        Task.FromResult(state.State.Promoted.GetValueOrDefault(blueprintName));

    /// <inheritdoc/>
    public async Task OnRunPromotedAsync(PromotedRelease release)
    {
        ArgumentNullException.ThrowIfNull(release);
        var promoted = state.State.Promoted;
        if (promoted.TryGetValue(release.BlueprintName, out var current)
            && (current.RunId == release.RunId || IsOlder(release.BlueprintVersion, current.BlueprintVersion)))
        {
            return; // a repeated report, or a release older than the one on record
        }

        promoted[release.BlueprintName] = release;
        await state.WriteStateAsync();
    }

    private static bool IsOlder(string version, string than) =>
        SemVersion.TryParse(version, out var v) && SemVersion.TryParse(than, out var t) && SemVersion.ComparePrecedence(v, t) < 0;
}
