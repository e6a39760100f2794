using Factory.Grains.Redaction;
using Microsoft.Extensions.Logging;

namespace Factory.Grains.Agents;

public sealed partial class AgentGrain
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Run {RunId}: agent {Role} on module {Module} failed: {Reason}")]
    private static partial void LogAgentFailed(ILogger logger, Exception exception, string runId, string module, string role, [FreeText] string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Run {RunId}: gate {Rule} ({Mode}) on module {Module} found violations: {Summary}")]
    private static partial void LogGateViolated(ILogger logger, string runId, string module, string rule, string mode, [FreeText] string summary);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Run {RunId}: agent {Role} on module {Module} stopped: a silo it called is gone ({Reason}); the run's re-drive starts it again")]
    private static partial void LogAgentInterrupted(ILogger logger, string runId, string module, string role, [FreeText] string reason);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Agent {Agent}: a result was stored while it ran as new work; the one stored first stands ({Reason})")]
    private static partial void LogStoredMeanwhile(ILogger logger, string agent, [FreeText] string reason);
}
