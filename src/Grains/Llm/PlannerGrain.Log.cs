using Microsoft.Extensions.Logging;

namespace Factory.Grains.Llm;

public sealed partial class PlannerGrain
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Tenant {TenantId}: the planner's answer {Attempt} was accepted as {Name}@{Version}")]
    private static partial void LogPlanned(ILogger logger, string tenantId, string name, string version, int attempt);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Tenant {TenantId}: the planner's answer {Attempt} was not a valid blueprint ({Problems} problems); sent back")]
    private static partial void LogAnswerRejected(ILogger logger, string tenantId, int attempt, int problems);
}
