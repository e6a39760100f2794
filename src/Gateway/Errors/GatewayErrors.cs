using System.Globalization;
using Factory.Blueprints;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Factory.Gateway.Errors;

/// <summary>Builds the gateway's <see cref="RpcException"/>s, with <c>google.rpc</c> details where a client can act on them.</summary>
public static class GatewayErrors
{
    /// <summary>INVALID_ARGUMENT with one <c>google.rpc.BadRequest</c> field violation.</summary>
    public static RpcException InvalidField(string field, string description) =>
        BadRequest($"{field}: {description}", [(field, description)]);

    /// <summary>
    /// INVALID_ARGUMENT for a blueprint's problems: one field violation per problem, its field the blueprint
    /// path (e.g. <c>modules[1].operations[0].path</c>), its description "line:column: message [code]".
    /// </summary>
    public static RpcException InvalidBlueprint(IReadOnlyList<BlueprintProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var violations = problems
            .Select(p => (p.Path, string.Create(CultureInfo.InvariantCulture, $"{p.Line}:{p.Column}: {p.Message} [{p.Code}]")))
            .ToList();
        return BadRequest(Summary(problems.Count, problems.Count > 0 ? problems[0].ToString() : ""), violations);
    }

    /// <summary>INVALID_ARGUMENT for problems a grain reported as "path (line L, column C): message [code]" lines.</summary>
    public static RpcException InvalidBlueprint(IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var violations = problems.Select(SplitProblem).ToList();
        return BadRequest(Summary(problems.Count, problems.Count > 0 ? problems[0] : ""), violations);
    }

    /// <summary>RESOURCE_EXHAUSTED with a <c>google.rpc.QuotaFailure</c> naming the tenant, the quota and its limit.</summary>
    public static RpcException QuotaExceeded(QuotaExceededException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var failure = new QuotaFailure();
        failure.Violations.Add(new QuotaFailure.Types.Violation
        {
            Subject = $"tenant:{exception.TenantId}",
            Description = string.Create(CultureInfo.InvariantCulture,
                $"quota {exception.Quota}: the limit is {exception.Limit}, the request needs {exception.Requested}"),
        });
        return Rich(Code.ResourceExhausted, exception.Message, failure);
    }

    /// <summary>
    /// INVALID_ARGUMENT for a prompt the planner could not turn into a valid blueprint: the message says how many
    /// answers were tried, and each of the last answer's problems is a field violation (its blueprint path).
    /// </summary>
    public static RpcException PlanningFailed(BlueprintPlanningException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var s = exception.Attempts == 1 ? " was" : "s were";
        return BadRequest(
            string.Create(CultureInfo.InvariantCulture, $"The planner's {exception.Attempts} answer{s} not a valid blueprint; rephrase the prompt or submit a blueprint. Last problem: {(exception.Problems.Length > 0 ? exception.Problems[0] : "none")}"),
            exception.Problems.Select(SplitProblem));
    }

    /// <summary>A plain status.</summary>
    public static RpcException Status(StatusCode code, string message) => new(new Grpc.Core.Status(code, message));

    private static string Summary(int count, string first) =>
        string.Create(CultureInfo.InvariantCulture, $"The blueprint is not valid ({count} problem{(count == 1 ? "" : "s")}); first: {first}");

    private static (string Field, string Description) SplitProblem(string problem)
    {
        var at = problem.IndexOf(" (line ", StringComparison.Ordinal);
        return at > 0 ? (problem[..at], problem[(at + 1)..]) : ("blueprint", problem);
    }

    private static RpcException BadRequest(string message, IEnumerable<(string Field, string Description)> violations)
    {
        var badRequest = new BadRequest();
        foreach (var (field, description) in violations)
        {
            badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = description });
        }

        return Rich(Code.InvalidArgument, message, badRequest);
    }

    private static RpcException Rich(Code code, string message, Google.Protobuf.IMessage detail) =>
        new Google.Rpc.Status { Code = (int)code, Message = message, Details = { Any.Pack(detail) } }.ToRpcException();
}
