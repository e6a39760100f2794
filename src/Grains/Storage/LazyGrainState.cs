using Orleans.Core;
using Orleans.Storage;

namespace Factory.Grains.Storage;

/// <summary>
/// A grain's persistent state, read on its first use in an activation rather than when the grain activates, and not
/// read at all when the caller knows nothing can be stored yet (work handed on for the first time): in PostgreSQL
/// mode, a query saved per grain. Reads, writes, etags and storage instruments are Orleans' own
/// (<see cref="StateStorageBridge{TState}"/>), under the same state name as a <c>[PersistentState]</c> would use.
/// </summary>
/// <typeparam name="TState">The state type.</typeparam>
public sealed class LazyGrainState<TState>(string name, IGrainContext grain, IGrainStorage storage)
    where TState : new()
{
    private StateStorageBridge<TState> _bridge = new(name, grain, storage);
    private bool _loaded;

    /// <summary>The state; valid once <see cref="LoadAsync"/> has run in this activation.</summary>
    public TState State => _bridge.State;

    /// <summary>
    /// The state, read the first time in this activation; with <paramref name="nothingStored"/>, a new empty state
    /// instead, unread (its first write then inserts it, and fails if a state was stored after all).
    /// </summary>
    public async ValueTask<TState> LoadAsync(bool nothingStored = false)
    {
        if (!_loaded)
        {
            if (nothingStored)
            {
                _bridge.State = new TState();
            }
            else
            {
                await _bridge.ReadStateAsync();
            }

            _loaded = true;
        }

        return _bridge.State;
    }

    /// <summary>Writes the state.</summary>
    public Task WriteStateAsync(CancellationToken cancellationToken = default) => ((IStorage)_bridge).WriteStateAsync(cancellationToken);

    /// <summary>Reads the stored state again, as after a write that found another one stored (that write stays queued in the old bridge, so a new one reads).</summary>
    public async Task<TState> ReloadAsync()
    {
        _bridge = new StateStorageBridge<TState>(name, grain, storage);
        await _bridge.ReadStateAsync();
        _loaded = true;
        return _bridge.State;
    }
}
