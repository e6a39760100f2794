using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Factory;

/// <summary>
/// One run of one blueprint for one tenant; key: the run id. It plans the run, hands modules
/// to <see cref="IModuleGrain"/>s, owns the run's journal (it is the implicit subscriber of
/// the <c>trace/{runId}</c> stream) and serves watchers.
/// </summary>
[Alias("Factory.IRunGrain")]
public interface IRunGrain : IGrainWithStringKey
{
    /// <summary>Plans and starts the run; returns once the first tasks are dispatched. Idempotent.</summary>
    [Alias("Start")]
    Task<RunSnapshot> StartAsync(RunStart start);

    /// <summary>The run's current state.</summary>
    /// <exception cref="RunNotFoundException">No such run.</exception>
    [Alias("GetSnapshot")]
    Task<RunSnapshot> GetSnapshotAsync();

    /// <summary>
    /// The journal from <paramref name="fromSequence"/>, then the live tail, each event once and in
    /// order, ending once it has caught up with an ended run: after the terminal event, or after the
    /// feedback recorded since. A client that reconnects passes its last sequence + 1.
    /// </summary>
    [Alias("Watch")]
    IAsyncEnumerable<TraceEvent> WatchAsync(long fromSequence, CancellationToken cancellationToken = default);

    /// <summary>A page of the journal: at most <paramref name="max"/> events from <paramref name="fromSequence"/>.</summary>
    [Alias("ReadJournal")]
    Task<ImmutableArray<TraceEvent>> ReadJournalAsync(long fromSequence, int max);

    /// <summary>
    /// Called by a module whose validator passed every blocking gate; its release waits for the run's
    /// decision. One-way: a lost report is re-sent when the module is re-driven.
    /// </summary>
    [Alias("OnModuleValidated"), OneWay]
    Task OnModuleValidatedAsync(string module);

    /// <summary>
    /// Cancels a running run: nothing more is dispatched, tasks in flight end, and the run ends
    /// <see cref="RunStatus.Cancelled"/> with <paramref name="reason"/>. A run that has ended is returned as it is.
    /// </summary>
    /// <exception cref="RunNotFoundException">No such run.</exception>
    [Alias("Cancel")]
    Task<RunSnapshot> CancelAsync(string reason);

    /// <summary>
    /// The silo admits the run, which waited for a place among the runs proceeding at once: it dispatches its first
    /// modules. Idempotent; a run that is not waiting (ended, or already going) ignores it.
    /// </summary>
    [Alias("Admit")]
    Task AdmitAsync();

    /// <summary>Records feedback on the run (or a module, agent or artifact of it) as a <c>FeedbackSubmitted</c> event in its trace.</summary>
    /// <exception cref="RunNotFoundException">No such run.</exception>
    /// <returns>The sequence number of the recorded event.</returns>
    [Alias("SubmitFeedback")]
    Task<long> SubmitFeedbackAsync(Feedback feedback);

    /// <summary>Called by a module when every task it dispatched has ended. One-way: a lost report is re-driven.</summary>
    [Alias("OnModuleFinished"), OneWay]
    Task OnModuleFinishedAsync(ModuleResult result);
}

/// <summary>One module of one run; key: "{runId}/{module}". Sequences the module's agents.</summary>
[Alias("Factory.IModuleGrain")]
public interface IModuleGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts the module's first tasks and returns. Idempotent: called again (a re-drive), it re-dispatches
    /// the tasks still in flight, or re-reports its result if it has finished.
    /// </summary>
    [Alias("Start")]
    Task StartAsync(ModuleWork work);

    /// <summary>
    /// The run's promotion decision, once every module is validated (promote) or one failed or was blocked
    /// (do not: the release is skipped with <paramref name="reason"/>). Idempotent.
    /// </summary>
    [Alias("DecidePromotion")]
    Task DecidePromotionAsync(bool promote, string reason);

    /// <summary>
    /// The run was cancelled: dispatch nothing more; tasks in flight finish and are reported, then the module
    /// reports its result (pending tasks skipped). Idempotent.
    /// </summary>
    [Alias("Stop")]
    Task StopAsync();

    /// <summary>
    /// Publishes the module's trace events again and has its ended agents publish theirs again: after a silo died,
    /// events that were on their way to the run's journal are lost; the run de-duplicates them by id. Idempotent.
    /// </summary>
    [Alias("Republish")]
    Task RepublishAsync();

    /// <summary>Called by an agent when it ends. One-way: a lost report is re-driven.</summary>
    [Alias("OnAgentFinished"), OneWay]
    Task OnAgentFinishedAsync(AgentResult result);
}

/// <summary>One agent role on one module of one run; key: "{runId}/{module}/{role}". Runs the role's skills.</summary>
[Alias("Factory.IAgentGrain")]
public interface IAgentGrain : IGrainWithStringKey
{
    /// <summary>
    /// Accepts the work and returns at once; the skills run after the call and the result is reported to the module.
    /// Idempotent: an agent that has ended publishes its trace events again and re-reports its result.
    /// </summary>
    [Alias("Execute")]
    Task ExecuteAsync(AgentWork work);
}

/// <summary>A tenant: its run index (and, later, quotas and keys); key: the tenant id.</summary>
[Alias("Factory.ITenantGrain")]
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>Validates the blueprint, assigns a run id, starts the run and returns at once.</summary>
    /// <exception cref="BlueprintRejectedException">The blueprint is not valid.</exception>
    [Alias("SubmitRun")]
    Task<RunSubmission> SubmitRunAsync(RunRequest request);

    /// <summary>The run an earlier submission with <paramref name="idempotencyKey"/> started, or null (nothing is started).</summary>
    [Alias("FindSubmission"), ReadOnly]
    Task<RunSubmission?> FindSubmissionAsync(string idempotencyKey);

    /// <summary>The tenant's most recent runs, newest first.</summary>
    [Alias("ListRuns")]
    Task<ImmutableArray<TenantRunEntry>> ListRunsAsync(int max);

    /// <summary>A page of the tenant's runs, newest first, filtered by status, blueprint and submission time.</summary>
    /// <exception cref="ArgumentException">A malformed page token or page size.</exception>
    [Alias("QueryRuns")]
    Task<RunPage> QueryRunsAsync(RunQuery query);

    /// <summary>Whether <paramref name="runId"/> is one of this tenant's runs (a run of another tenant answers false).</summary>
    [Alias("OwnsRun"), ReadOnly]
    Task<bool> OwnsRunAsync(string runId);

    /// <summary>
    /// Called by a run of the tenant when it ends, before its terminal event is journaled, in one call and one write:
    /// frees its concurrent-run slot, records its final status and what it cost (the tenant's total,
    /// <see cref="TenantInfo.CostUsd"/>, adds it up), and records a release it promoted as the blueprint's promoted
    /// release (unless one of a higher version is on record). Idempotent: a repeated report of the same run replaces
    /// the earlier one. It calls nothing, so the run may await it.
    /// </summary>
    [Alias("OnRunEnded")]
    Task OnRunEndedAsync(RunEnded ended);

    /// <summary>The tenant as operators see it.</summary>
    /// <exception cref="TenantNotFoundException">The tenant was never created.</exception>
    [Alias("GetInfo")]
    Task<TenantInfo> GetInfoAsync();

    /// <summary>Creates the tenant with an edition (operators only).</summary>
    /// <exception cref="TenantExistsException">It exists already.</exception>
    /// <exception cref="UnknownEditionException">The edition is not configured.</exception>
    [Alias("Create")]
    Task<TenantInfo> CreateAsync(string edition);

    /// <summary>Moves the tenant to another edition; its quotas change at once.</summary>
    /// <exception cref="TenantNotFoundException">The tenant was never created.</exception>
    /// <exception cref="UnknownEditionException">The edition is not configured.</exception>
    [Alias("SetEdition")]
    Task<TenantInfo> SetEditionAsync(string edition);

    /// <summary>The limits of the tenant's edition (the default edition's for a tenant never created).</summary>
    [Alias("GetLimits")]
    Task<EditionLimits> GetLimitsAsync();

    /// <summary>Issues an API key bound to this tenant; the secret is returned once and stored only hashed.</summary>
    /// <exception cref="TenantNotFoundException">The tenant was never created.</exception>
    [Alias("IssueApiKey")]
    Task<IssuedApiKey> IssueApiKeyAsync();

    /// <summary>Revokes one of the tenant's keys by its id; later calls with it are refused.</summary>
    /// <exception cref="TenantNotFoundException">The tenant was never created, or has no such key.</exception>
    [Alias("RevokeApiKey")]
    Task RevokeApiKeyAsync(string keyId);

    /// <summary>
    /// The tenant's promoted release of the blueprint named <paramref name="blueprintName"/> with the highest
    /// version, or null when none was promoted. Interleaves: a run asks while its submission is in progress.
    /// </summary>
    [Alias("GetPromoted"), AlwaysInterleave]
    Task<PromotedRelease?> GetPromotedAsync(string blueprintName);
}

/// <summary>Well-known names shared by the grains and their hosts.</summary>
public static class FactoryNames
{
    /// <summary>The stream provider carrying sequenced events and run summaries, which clients may subscribe to.</summary>
    public const string StreamProvider = "factory";
    /// <summary>
    /// The stream provider carrying agents' and modules' raw events (<see cref="TraceNamespace"/>) to their run's
    /// journal. Its only consumer is the run grain's implicit subscription, so it keeps no subscription registry:
    /// a run's trace stream activates no pub-sub grain and writes no pub-sub state.
    /// </summary>
    public const string TraceStreamProvider = "factory-trace";
    /// <summary>Stream namespace agents publish raw events to, on <see cref="TraceStreamProvider"/>; key: run id.</summary>
    public const string TraceNamespace = "trace";
    /// <summary>Stream namespace of sequenced events, published when <c>Factory:Runtime:PublishRunEvents</c> is on; key: run id.</summary>
    public const string RunEventsNamespace = "run-events";
    /// <summary>Stream namespace of run summaries; key: tenant id.</summary>
    public const string TenantRunsNamespace = "tenant-runs";
    /// <summary>Grain storage for runs, modules, agents and tenants.</summary>
    public const string GrainStorage = "factory";
    /// <summary>The tenant used when none is named (single-tenant embedded use).</summary>
    public const string DefaultTenant = "default";
}
