using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Factory.Grains.Runs;

/// <summary>Settings of <see cref="RunAdmission"/> (section <c>Factory:Runtime</c>).</summary>
public sealed class RunAdmissionOptions
{
    /// <summary>
    /// Most runs whose work proceeds at once in a silo; 0 (the default) means 3 per processor: enough to keep every
    /// core busy while a run waits between steps, few enough that a submission is not served behind piles of queued
    /// work. Must be 0 or more.
    /// </summary>
    public int MaxActiveRuns { get; set; }
}

/// <summary>
/// Admits runs to a silo's cores in the order they were accepted. A run accepted past <see cref="Limit"/> is
/// journaled (<c>RunStarted</c>, <c>PlanCreated</c>) and answered at once, then waits here, holding no thread and no
/// call, until a run admitted before it has done its work: a run gives up its place once its last module has ended,
/// not once the last of its trace events has come in over the stream, for that wait uses no core. So with thousands
/// of runs in flight the cores work on a few at a time: a submission or a watcher's next event is served behind
/// little queued work, the runs waiting hold no agent or module in memory, and throughput is that of the cores.
/// Admission is per silo and in memory: after a silo dies, the runs re-driven on a survivor go ahead at once.
/// </summary>
public sealed partial class RunAdmission
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _active = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _waiting = new();
    private readonly Dictionary<string, LinkedListNode<string>> _waitingNodes = new(StringComparer.Ordinal);
    private readonly IGrainFactory _grains;
    private readonly ILogger<RunAdmission> _logger;

    /// <summary>Creates the admission from its options.</summary>
    public RunAdmission(IOptions<RunAdmissionOptions> options, IGrainFactory grains, ILogger<RunAdmission> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var max = options.Value.MaxActiveRuns;
        ArgumentOutOfRangeException.ThrowIfNegative(max, "Factory:Runtime:MaxActiveRuns");
        Limit = max == 0 ? 3 * Environment.ProcessorCount : max;
        _grains = grains;
        _logger = logger;
    }

    /// <summary>How many runs may proceed at once.</summary>
    public int Limit { get; }

    /// <summary>
    /// Asks to proceed: true when the run may go ahead now (or already had); false when it waits, and is then told by
    /// <see cref="IRunGrain"/>'s <c>AdmitAsync</c> once its turn comes.
    /// </summary>
    public bool TryEnter(string runId)
    {
        lock (_lock)
        {
            if (_active.Contains(runId))
            {
                return true;
            }

            if (_waitingNodes.ContainsKey(runId))
            {
                return false;
            }

            if (_active.Count < Limit && _waiting.Count == 0)
            {
                _active.Add(runId);
                return true;
            }

            _waitingNodes[runId] = _waiting.AddLast(runId);
            return false;
        }
    }

    /// <summary>
    /// The run's work is done (or it no longer waits): its place goes to the longest-waiting run. Calling it again
    /// does nothing.
    /// </summary>
    public void Leave(string runId)
    {
        List<string> admitted = [];
        lock (_lock)
        {
            if (_waitingNodes.Remove(runId, out var node))
            {
                _waiting.Remove(node);
            }

            _active.Remove(runId);
            while (_active.Count < Limit && _waiting.First is { } first)
            {
                _waiting.RemoveFirst();
                _waitingNodes.Remove(first.Value);
                _active.Add(first.Value);
                admitted.Add(first.Value);
            }
        }

        foreach (var next in admitted)
        {
            _ = AdmitAsync(next);
        }
    }

    private async Task AdmitAsync(string runId)
    {
        try
        {
            await _grains.GetGrain<IRunGrain>(runId).AdmitAsync();
        }
        catch (Exception exception)
        {
            // The run's re-drive reminder dispatches it anyway; its place is given to the next one.
            LogAdmitFailed(_logger, exception, runId);
            Leave(runId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} could not be told it was admitted; its re-drive will dispatch it")]
    private static partial void LogAdmitFailed(ILogger logger, Exception exception, string runId);
}
