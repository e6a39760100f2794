using System.Diagnostics.Metrics;

namespace Factory.Grains.Telemetry;

/// <summary>Factory's metrics, on the meter named <see cref="FactoryTelemetry.SourceName"/>.</summary>
public sealed class FactoryInstruments
{
    private readonly Counter<long> _runsStarted;
    private readonly Counter<long> _runsEnded;
    private readonly Histogram<double> _agentDuration;
    private readonly Histogram<double> _skillDuration;
    private readonly Counter<long> _journalAppends;
    private readonly Counter<long> _artifactsWritten;
    private readonly Counter<double> _cost;
    private readonly Counter<long> _gateFailures;
    private readonly Histogram<double> _streamLag;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public FactoryInstruments(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(FactoryTelemetry.SourceName);
        _runsStarted = meter.CreateCounter<long>("factory.runs.started", "{run}", "Runs accepted and planned.");
        _runsEnded = meter.CreateCounter<long>("factory.runs.ended", "{run}", "Runs that reached a terminal status, by status.");
        _agentDuration = meter.CreateHistogram<double>("factory.agent.duration", "s", "Time an agent took to run its skills.");
        _skillDuration = meter.CreateHistogram<double>("factory.skill.duration", "s", "Time one skill execution took.");
        _journalAppends = meter.CreateCounter<long>("factory.journal.appends", "{event}", "Events appended to run journals.");
        _artifactsWritten = meter.CreateCounter<long>("factory.artifacts.written", "{artifact}", "Artifacts emitted by skills.");
        _cost = meter.CreateCounter<double>("factory.cost", "USD", "What skill executions cost (compute and model tokens), by edition and agent role.");
        _gateFailures = meter.CreateCounter<long>("factory.gate.failures", "{gate}", "Gate results that found violations, by rule and mode.");
        _streamLag = meter.CreateHistogram<double>("factory.stream.lag", "s", "Time from an event's creation to its append to the run's journal.");
    }

    /// <summary>A run was planned and started.</summary>
    public void OnRunStarted(string tenant) => _runsStarted.Add(1, new KeyValuePair<string, object?>("factory.tenant", tenant));

    /// <summary>A run ended with <paramref name="status"/>.</summary>
    public void OnRunEnded(string tenant, RunStatus status) =>
        _runsEnded.Add(1, new KeyValuePair<string, object?>("factory.tenant", tenant), new KeyValuePair<string, object?>("factory.status", status.ToString()));

    /// <summary>An agent ended.</summary>
    public void OnAgentEnded(string role, bool succeeded, TimeSpan elapsed) =>
        _agentDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("factory.agent", role), new KeyValuePair<string, object?>("factory.succeeded", succeeded));

    /// <summary>A skill ended.</summary>
    public void OnSkillEnded(string skill, TimeSpan elapsed, int artifacts)
    {
        _skillDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("factory.skill", skill));
        _artifactsWritten.Add(artifacts, new KeyValuePair<string, object?>("factory.skill", skill));
    }

    /// <summary>Events were journaled.</summary>
    public void OnJournalAppended(int count) => _journalAppends.Add(count);

    /// <summary>An event reached the journal <paramref name="lag"/> after it was created.</summary>
    public void OnEventJournaled(TimeSpan lag) => _streamLag.Record(Math.Max(0, lag.TotalSeconds));

    /// <summary>A skill execution cost <paramref name="costUsd"/>.</summary>
    public void OnSkillCost(string edition, string role, decimal costUsd) =>
        _cost.Add((double)costUsd, new KeyValuePair<string, object?>("factory.edition", edition), new KeyValuePair<string, object?>(FactoryTelemetry.Agent, role));

    /// <summary>A gate found violations.</summary>
    public void OnGateFailed(string rule, string mode) =>
        _gateFailures.Add(1, new KeyValuePair<string, object?>("factory.rule", rule), new KeyValuePair<string, object?>("factory.mode", mode));
}
