using Factory.Grains.Redaction;
using Microsoft.Extensions.Logging;

namespace Factory.Grains.Runs;

public sealed partial class RunGrain
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Run {RunId} started for tenant {TenantId}: {Blueprint}@{Version}, {Tasks} tasks")]
    private static partial void LogRunStarted(ILogger logger, string runId, string tenantId, string blueprint, string version, int tasks);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Run {RunId} ended {Status}. {Reason}")]
    private static partial void LogRunEnded(ILogger logger, string runId, RunStatus status, [FreeText] string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Run {RunId} dropped event {EventId} ({Type}): it belongs to no started run")]
    private static partial void LogStrayEvent(ILogger logger, string runId, string eventId, string type);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Run {RunId} ended before the terminal events of {Missing} reached its journal")]
    private static partial void LogTraceNotSettled(ILogger logger, string runId, string missing);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Run {RunId} asks for the trace events of {Missing} again: they did not reach its journal")]
    private static partial void LogTraceRepublishing(ILogger logger, string runId, string missing);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Run {RunId} is being cancelled: {Reason}")]
    private static partial void LogRunCancelling(ILogger logger, string runId, [FreeText] string reason);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "Run {RunId} has cost {CostUsd} USD, over its budget of {BudgetUsd} USD ({Mode})")]
    private static partial void LogOverBudget(ILogger logger, string runId, decimal costUsd, decimal budgetUsd, string mode);
}
