using Microsoft.Extensions.Options;

namespace Factory.Grains.Llm;

/// <summary>Opens a run's <see cref="LlmSession"/>: a replay's record, else the tenant's configured model, else none (offline).</summary>
public sealed class LlmSessions(LlmChat chat, IOptions<LlmOptions> options)
{
    /// <summary>The run's session, or null when the run is no replay and the tenant has no model configured.</summary>
    public async Task<LlmSession?> OpenAsync(IGrainFactory grains, string tenantId, string runId)
    {
        ArgumentNullException.ThrowIfNull(grains);
        var ledger = grains.GetGrain<ILlmLedgerGrain>(runId);
        var (replay, _) = await ledger.RecordedAsync("");
        if (replay)
        {
            return new LlmSession(chat, ledger, tenantId, runId, null);
        }

        var limits = await grains.GetGrain<ITenantGrain>(tenantId).GetLimitsAsync();
        var settings = options.Value.Resolve(tenantId, limits.Edition);
        return settings is null ? null : new LlmSession(chat, ledger, tenantId, runId, settings);
    }
}

/// <summary>
/// A run's access to its model: in a replay every call is answered from the record (no model is called, and a
/// call with no recorded answer fails); otherwise calls go to the configured endpoint, at most
/// <see cref="LlmEndpointSettings.MaxCallsPerRun"/> per run.
/// </summary>
public sealed class LlmSession
{
    /// <summary>Answers a replay looks for per handler body when no endpoint is configured to say how many.</summary>
    private const int ReplayAttempts = 10;

    private readonly LlmChat _chat;
    private readonly ILlmLedgerGrain _ledger;
    private readonly string _tenantId;
    private readonly string _runId;

    internal LlmSession(LlmChat chat, ILlmLedgerGrain ledger, string tenantId, string runId, LlmEndpointSettings? settings)
    {
        _chat = chat;
        _ledger = ledger;
        _tenantId = tenantId;
        _runId = runId;
        Settings = settings;
    }

    /// <summary>The endpoint, or null in a replay.</summary>
    public LlmEndpointSettings? Settings { get; }

    /// <summary>Whether calls are answered from the record.</summary>
    public bool Replay => Settings is null;

    /// <summary>Answers per handler body before the run is blocked.</summary>
    public int HandlerAttempts => Settings?.HandlerAttempts ?? ReplayAttempts;

    /// <summary>
    /// Whether a call with <paramref name="key"/> is to be made: always outside a replay; in a replay, only when the
    /// recorded run made it (a run recorded offline wrote no handler, and its replay writes none either).
    /// </summary>
    public async Task<bool> ShouldAskAsync(string key)
    {
        if (Settings is not null)
        {
            return true;
        }

        var (_, recorded) = await _ledger.RecordedAsync(key);
        return recorded is not null;
    }

    /// <summary>Asks the model (or the record), returning the exchange to journal and whether it was replayed.</summary>
    /// <exception cref="LlmUnavailableException">The endpoint failed, the run used up its calls, or a replay has no answer recorded for the call.</exception>
    public async Task<(LlmExchange Exchange, bool Replayed)> AskAsync(string key, string traceId, string parentSpanId, IReadOnlyList<LlmMessage> messages, CancellationToken cancellationToken)
    {
        if (Settings is null)
        {
            var (_, recorded) = await _ledger.RecordedAsync(key);
            return recorded is null
                ? throw new LlmUnavailableException("(replay)", $"the recorded run has no answer for call {key}; a replay makes no new calls")
                : (recorded with { CostUsd = 0m, DurationMs = 0 }, true);
        }

        if (!await _ledger.TryReserveCallAsync(Settings.MaxCallsPerRun))
        {
            throw new LlmUnavailableException(Settings.Endpoint!.ToString(), $"the run made its {Settings.MaxCallsPerRun} calls (MaxCallsPerRun)");
        }

        var exchange = await _chat.CompleteAsync(Settings, new LlmCallContext(key, _tenantId, _runId, traceId, parentSpanId), messages, cancellationToken);
        return (exchange, false);
    }
}
