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
}
