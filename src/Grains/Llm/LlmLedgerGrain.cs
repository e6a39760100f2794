using System.Collections.Immutable;

namespace Factory.Grains.Llm;

/// <summary>Persistent state of a run's model calls.</summary>
[GenerateSerializer, Alias("Factory.Grains.LlmLedgerState")]
public sealed class LlmLedgerState
{
    /// <summary>Whether the run is a replay (it calls no model).</summary>
    [Id(0)] public bool Replay { get; set; }

    /// <summary>A replay's recorded calls by key.</summary>
    [Id(1)] public Dictionary<string, LlmExchange> Recorded { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Calls the run made.</summary>
    [Id(2)] public int Calls { get; set; }
}

/// <summary>A run's model calls (key: the run id): the count against its limit, and a replay's recorded answers.</summary>
public sealed class LlmLedgerGrain(
    [PersistentState("llm", FactoryNames.GrainStorage)] IPersistentState<LlmLedgerState> state) : Grain, ILlmLedgerGrain
{
    /// <inheritdoc/>
    public async Task LoadReplayAsync(ImmutableArray<LlmExchange> recorded)
    {
        if (state.State.Replay)
        {
            return;
        }

        state.State.Replay = true;
        foreach (var exchange in recorded)
        {
            state.State.Recorded[exchange.Key] = exchange; // a later record of a key (a replay of a replay) is the same answer
        }

        await state.WriteStateAsync();
    }

    /// <inheritdoc/>
    public Task<(bool Replay, LlmExchange? Exchange)> RecordedAsync(string key) =>
        Task.FromResult<(bool, LlmExchange?)>((state.State.Replay, state.State.Recorded.GetValueOrDefault(key)));

    /// <inheritdoc/>
    public async Task<bool> TryReserveCallAsync(int maxCalls)
    {
        if (state.State.Calls >= maxCalls)
        {
            return false;
        }

        state.State.Calls++;
        await state.WriteStateAsync();
        return true;
    }
}
