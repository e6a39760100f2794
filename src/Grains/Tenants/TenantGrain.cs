using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Factory.Grains.Runtime;
using Microsoft.Extensions.Options;
using Semver;

namespace Factory.Grains.Tenants;

/// <summary>Persistent state of a tenant.</summary>
[GenerateSerializer, Alias("Factory.Grains.TenantState")]
public sealed class TenantState
{
    /// <summary>The tenant's runs, oldest first (the most recent <see cref="FactoryRuntimeOptions.TenantRunIndexCapacity"/>).</summary>
    [Id(0)] public List<TenantRunEntry> Runs { get; set; } = [];

    /// <summary>Run id by idempotency key, for the runs in <see cref="Runs"/>.</summary>
    [Id(1)] public Dictionary<string, string> IdempotencyKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The promoted release with the highest version, by blueprint name.</summary>
    [Id(2)] public Dictionary<string, PromotedRelease> Promoted { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The edition an operator chose, or empty for a tenant never created (it gets the default edition).</summary>
    [Id(3)] public string Edition { get; set; } = "";

    /// <summary>When an operator created the tenant.</summary>
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The tenant's API keys by key id: only the SHA-256 of each secret is kept.</summary>
    [Id(5)] public Dictionary<string, ApiKeyRecord> ApiKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Runs started and not yet ended.</summary>
    [Id(6)] public HashSet<string> InFlight { get; set; } = new(StringComparer.Ordinal);

    /// <summary>When the runs of the last minute were submitted, oldest first.</summary>
    [Id(7)] public List<DateTimeOffset> RecentSubmissions { get; set; } = [];

    /// <summary>Runs ever submitted.</summary>
    [Id(8)] public long RunsTotal { get; set; }

    /// <summary>How many entries were dropped from the front of <see cref="Runs"/> (so an entry's position is stable).</summary>
    [Id(9)] public long Trimmed { get; set; }

    /// <summary>What the tenant's ended runs cost in total, in US dollars.</summary>
    [Id(20)] public decimal CostUsd { get; set; }
}

/// <summary>An API key as its tenant keeps it.</summary>
[GenerateSerializer, Alias("Factory.Grains.ApiKeyRecord")]
public sealed class ApiKeyRecord
{
    /// <summary>Lower-case hex SHA-256 of the secret (the key of its <see cref="IApiKeyGrain"/>).</summary>
    [Id(0)] public string Sha256 { get; set; } = "";

    /// <summary>When it was issued.</summary>
    [Id(1)] public DateTimeOffset IssuedAt { get; set; }

    /// <summary>Whether it was revoked.</summary>
    [Id(2)] public bool Revoked { get; set; }
}

/// <summary>
/// A tenant: its edition and quotas, API keys, run index and promoted releases. It assigns run ids and
/// starts runs once every quota allows them; submitting returns as soon as the run has dispatched its first
/// tasks; nobody waits on a whole run. Each tenant is its own grain, so one tenant's burst of submissions
/// never queues another's.
/// </summary>
public sealed partial class TenantGrain(
    [PersistentState("tenant", FactoryNames.GrainStorage)] IPersistentState<TenantState> state,
    IOptions<EditionOptions> editions,
    IOptions<FactoryRuntimeOptions> runtime,
    TimeProvider time) : Grain, ITenantGrain
{
    /// <summary>The largest page <see cref="QueryRunsAsync"/> returns.</summary>
    public const int MaxPageSize = 500;

    /// <summary>Prefix of every API key secret.</summary>
    public const string ApiKeyPrefix = "fk_";

    private const string PageTokenPrefix = "runs:";
    private static readonly TimeSpan QuotaWindow = TimeSpan.FromMinutes(1);
    private HashSet<string>? _runIds;

    private string TenantId => this.GetPrimaryKeyString();

    private bool Created => state.State.Edition.Length > 0;

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
        CheckQuotas(request.BlueprintJson, now);
        var runId = Guid.CreateVersion7(now).ToString("N");
        if (request.Replay)
        {
            // Before the run starts: its agents answer model calls from the record, never from a model.
            await GrainFactory.GetGrain<ILlmLedgerGrain>(runId).LoadReplayAsync(request.RecordedExchanges);
        }

        var snapshot = await GrainFactory.GetGrain<IRunGrain>(runId).StartAsync(new RunStart
        {
            TenantId = TenantId,
            BlueprintJson = request.BlueprintJson,
            SubmittedAt = now,
            BaselineBlueprintJson = request.BaselineBlueprintJson,
            BaselineRecorded = request.BaselineRecorded,
            Prompt = request.Prompt,
            PlannerExchanges = request.PlannerExchanges,
            Edition = Limits().Edition,
            NewRunId = true,
        });

        var s = state.State;
        s.Runs.Add(new TenantRunEntry(runId, snapshot.BlueprintName, snapshot.BlueprintVersion, now)
        {
            Status = snapshot.Status,
            IdempotencyKey = request.IdempotencyKey,
        });
        RunIds().Add(runId);
        TrimIndex(runtime.Value.TenantRunIndexCapacity);

        if (snapshot.Status == RunStatus.Running)
        {
            s.InFlight.Add(runId);
        }

        s.RecentSubmissions.Add(now);
        s.RunsTotal++;
        if (request.IdempotencyKey.Length > 0)
        {
            s.IdempotencyKeys[request.IdempotencyKey] = runId;
        }

        await state.WriteStateAsync();
        return new RunSubmission(runId, snapshot.TraceId, Existing: false);
    }

    /// <summary>
    /// Drops the oldest entries past <paramref name="capacity"/>, and their idempotency keys with them: the tenant's
    /// state, written at every submission, stays bounded however many runs it has had.
    /// </summary>
    private void TrimIndex(int capacity)
    {
        var s = state.State;
        if (s.Runs.Count > capacity)
        {
            var drop = s.Runs.Count - capacity;
            foreach (var dropped in s.Runs.Take(drop))
            {
                RunIds().Remove(dropped.RunId);
                if (dropped.IdempotencyKey.Length > 0 && s.IdempotencyKeys.TryGetValue(dropped.IdempotencyKey, out var keyed) && keyed == dropped.RunId)
                {
                    s.IdempotencyKeys.Remove(dropped.IdempotencyKey);
                }
            }

            s.Runs.RemoveRange(0, drop);
            s.Trimmed += drop;
        }

        if (s.IdempotencyKeys.Count > s.Runs.Count)
        {
            // Keys stored before entries recorded their key: forget those whose run has left the index.
            foreach (var key in s.IdempotencyKeys.Where(k => !RunIds().Contains(k.Value)).Select(k => k.Key).ToList())
            {
                s.IdempotencyKeys.Remove(key);
            }
        }
    }

    /// <inheritdoc/>
    public async Task<RunSubmission?> FindSubmissionAsync(string idempotencyKey)
    {
        if (string.IsNullOrEmpty(idempotencyKey) || !state.State.IdempotencyKeys.TryGetValue(idempotencyKey, out var existing))
        {
            return null;
        }

        var known = await GrainFactory.GetGrain<IRunGrain>(existing).GetSnapshotAsync();
        return new RunSubmission(existing, known.TraceId, Existing: true);
    }

    /// <summary>Refuses the submission, before anything starts, when it would take the tenant over a quota of its edition.</summary>
    private void CheckQuotas(string blueprintJson, DateTimeOffset now)
    {
        var limits = Limits();
        var bytes = Encoding.UTF8.GetByteCount(blueprintJson);
        if (bytes > limits.MaxBlueprintBytes)
        {
            throw new QuotaExceededException(TenantId, "blueprint-bytes", limits.MaxBlueprintBytes, bytes);
        }

        var modules = CountModules(blueprintJson);
        if (modules > limits.MaxModules)
        {
            throw new QuotaExceededException(TenantId, "modules", limits.MaxModules, modules);
        }

        var s = state.State;
        if (s.InFlight.Count >= limits.MaxConcurrentRuns)
        {
            throw new QuotaExceededException(TenantId, "concurrent-runs", limits.MaxConcurrentRuns, s.InFlight.Count + 1);
        }

        var windowStart = now - QuotaWindow;
        s.RecentSubmissions.RemoveAll(t => t <= windowStart);
        if (s.RecentSubmissions.Count >= limits.RunsPerMinute)
        {
            throw new QuotaExceededException(TenantId, "runs-per-minute", limits.RunsPerMinute, s.RecentSubmissions.Count + 1);
        }
    }

    /// <summary>The length of the canonical JSON's <c>modules</c> array; 0 when it cannot be read (the run's validation then rejects it).</summary>
    private static int CountModules(string blueprintJson)
    {
        try
        {
            using var document = JsonDocument.Parse(blueprintJson);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("modules", out var modules)
                && modules.ValueKind == JsonValueKind.Array
                ? modules.GetArrayLength()
                : 0;
        }
        catch (JsonException)
        {
            return 0;
        }
    }

    /// <inheritdoc/>
    public Task<ImmutableArray<TenantRunEntry>> ListRunsAsync(int max)
    {
        var runs = state.State.Runs;
        var take = Math.Clamp(max, 0, runs.Count);
        return Task.FromResult(runs.Skip(runs.Count - take).Reverse().ToImmutableArray());
    }

    /// <inheritdoc/>
    public Task<RunPage> QueryRunsAsync(RunQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var pageSize = query.PageSize == 0 ? 50 : query.PageSize;
        if (pageSize is < 1 or > MaxPageSize)
        {
            throw new ArgumentException($"RunQuery.PageSize must be between 1 and {MaxPageSize} (was {query.PageSize}).", nameof(query.PageSize));
        }

        var s = state.State;
        var end = query.PageToken.Length == 0 ? s.Trimmed + s.Runs.Count : ParsePageToken(query.PageToken);
        var page = ImmutableArray.CreateBuilder<TenantRunEntry>(pageSize);
        var next = "";
        for (var i = (int)Math.Max(-1, end - s.Trimmed - 1); i >= 0; i--)
        {
            var entry = s.Runs[i];
            if (!Matches(entry, query))
            {
                continue;
            }

            if (page.Count == pageSize)
            {
                next = PageToken(s.Trimmed + i + 1); // another match exists: the next page starts at it
                break;
            }

            page.Add(entry);
        }

        return Task.FromResult(new RunPage(page.DrainToImmutable(), next));
    }

    private static bool Matches(TenantRunEntry entry, RunQuery query) =>
        (query.Status == RunStatus.None || entry.Status == query.Status)
        && (query.BlueprintName.Length == 0 || string.Equals(entry.BlueprintName, query.BlueprintName, StringComparison.Ordinal))
        && (query.SubmittedAfter is not { } after || entry.SubmittedAt >= after)
        && (query.SubmittedBefore is not { } before || entry.SubmittedAt < before);

    private static string PageToken(long end) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(PageTokenPrefix + end.ToString(CultureInfo.InvariantCulture)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The position (exclusive) a page token says to continue below.</summary>
    private long ParsePageToken(string token)
    {
        var s = state.State;
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            if (text.StartsWith(PageTokenPrefix, StringComparison.Ordinal)
                && long.TryParse(text.AsSpan(PageTokenPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var end)
                && end <= s.Trimmed + s.Runs.Count)
            {
                return end;
            }
        }
        catch (FormatException)
        {
            // reported below
        }

        throw new ArgumentException("RunQuery.PageToken is not a token this tenant's run listing returned.", nameof(RunQuery.PageToken));
    }

    /// <inheritdoc/>
    public Task<bool> OwnsRunAsync(string runId) => Task.FromResult(runId is not null && RunIds().Contains(runId));

    /// <inheritdoc/>
    public async Task OnRunEndedAsync(RunEnded ended)
    {
        ArgumentNullException.ThrowIfNull(ended);
        var s = state.State;
        var changed = s.InFlight.Remove(ended.RunId);
        var index = s.Runs.FindLastIndex(r => r.RunId == ended.RunId);
        if (index >= 0 && (s.Runs[index].Status != ended.Status || s.Runs[index].CostUsd != ended.CostUsd))
        {
            // A repeated report replaces the earlier one (an entry trimmed long ago is not counted again).
            s.CostUsd += ended.CostUsd - s.Runs[index].CostUsd;
            s.Runs[index] = s.Runs[index] with { Status = ended.Status, CostUsd = ended.CostUsd };
            changed = true;
        }

        changed |= ended.Promoted is { } release && Promote(release);
        if (changed)
        {
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc/>
    public Task<TenantInfo> GetInfoAsync()
    {
        EnsureCreated();
        return Task.FromResult(Info());
    }

    /// <inheritdoc/>
    public async Task<TenantInfo> CreateAsync(string edition)
    {
        if (!TenantIds.IsValid(TenantId))
        {
            throw new ArgumentException($"Tenant id '{TenantId}' is not valid: 1-63 lower-case letters, digits and '-', starting with a letter.", "tenantId");
        }

        if (Created)
        {
            throw new TenantExistsException(TenantId);
        }

        var limits = Resolve(string.IsNullOrEmpty(edition) ? editions.Value.DefaultEdition : edition);
        state.State.Edition = limits.Edition;
        state.State.CreatedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<ITenantDirectoryGrain>(TenantDirectoryGrain.Key).AddAsync(TenantId);
        return Info();
    }

    /// <inheritdoc/>
    public async Task<TenantInfo> SetEditionAsync(string edition)
    {
        EnsureCreated();
        var limits = Resolve(edition);
        if (state.State.Edition != limits.Edition)
        {
            state.State.Edition = limits.Edition;
            await state.WriteStateAsync();
        }

        return Info();
    }

    /// <inheritdoc/>
    public Task<EditionLimits> GetLimitsAsync() => Task.FromResult(Limits());

    /// <inheritdoc/>
    public async Task<IssuedApiKey> IssueApiKeyAsync()
    {
        EnsureCreated();
        string secret, hash, keyId;
        do
        {
            secret = ApiKeyPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
            hash = ContentHash.ApiKeySha256(secret);
            keyId = hash[..12];
        }
        while (state.State.ApiKeys.ContainsKey(keyId));

        state.State.ApiKeys[keyId] = new ApiKeyRecord { Sha256 = hash, IssuedAt = time.GetUtcNow() };
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IApiKeyGrain>(hash).BindAsync(new ApiKeyIdentity(TenantId, keyId));
        return new IssuedApiKey(keyId, secret);
    }

    /// <inheritdoc/>
    public async Task RevokeApiKeyAsync(string keyId)
    {
        EnsureCreated();
        if (keyId is null || !state.State.ApiKeys.TryGetValue(keyId, out var key))
        {
            throw new TenantNotFoundException(TenantId);
        }

        if (!key.Revoked)
        {
            key.Revoked = true;
            await state.WriteStateAsync();
        }

        await GrainFactory.GetGrain<IApiKeyGrain>(key.Sha256).RevokeAsync();
    }

    /// <inheritdoc/>
    public Task<PromotedRelease?> GetPromotedAsync(string blueprintName) =>
        Task.FromResult(state.State.Promoted.GetValueOrDefault(blueprintName));

    /// <summary>Records <paramref name="release"/> as its blueprint's promoted release; false for a repeated report, or a release older than the one on record.</summary>
    private bool Promote(PromotedRelease release)
    {
        var promoted = state.State.Promoted;
        if (promoted.TryGetValue(release.BlueprintName, out var current)
            && (current.RunId == release.RunId || IsOlder(release.BlueprintVersion, current.BlueprintVersion)))
        {
            return false;
        }

        promoted[release.BlueprintName] = release;
        return true;
    }

    /// <summary>The tenant's edition's limits; the default edition's for a tenant never created, or whose edition is no longer configured.</summary>
    private EditionLimits Limits() =>
        (Created ? editions.Value.Find(state.State.Edition) : null) ?? Resolve(editions.Value.DefaultEdition);

    private EditionLimits Resolve(string edition) =>
        editions.Value.Find(edition ?? "") ?? throw new UnknownEditionException(edition ?? "", editions.Value.Names);

    private TenantInfo Info() => new(
        TenantId,
        state.State.Edition,
        state.State.CreatedAt,
        state.State.ApiKeys.Values.Count(k => !k.Revoked),
        state.State.InFlight.Count,
        state.State.RunsTotal)
    {
        CostUsd = state.State.CostUsd,
    };

    private void EnsureCreated()
    {
        if (!Created)
        {
            throw new TenantNotFoundException(TenantId);
        }
    }

    private HashSet<string> RunIds() => _runIds ??= new HashSet<string>(state.State.Runs.Select(r => r.RunId), StringComparer.Ordinal);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool IsOlder(string version, string than) =>
        SemVersion.TryParse(version, out var v) && SemVersion.TryParse(than, out var t) && SemVersion.ComparePrecedence(v, t) < 0;
}
