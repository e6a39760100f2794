using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Factory.Gateway.Errors;

/// <summary>
/// Maps every exception a call throws to its gRPC status, in one place: Factory's typed errors to their
/// precise codes (with <c>google.rpc</c> details), argument errors to INVALID_ARGUMENT, and anything
/// unexpected to INTERNAL without its details (which are logged).
/// </summary>
public sealed partial class ExceptionMappingInterceptor(ILogger<ExceptionMappingInterceptor> logger) : Interceptor
{
    /// <inheritdoc/>
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    /// <inheritdoc/>
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    /// <inheritdoc/>
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    /// <inheritdoc/>
    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    /// <summary>The status <paramref name="exception"/> answers.</summary>
    public RpcException Map(Exception exception, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(context);
        switch (exception)
        {
            case RpcException rpc:
                return rpc;
            case RunNotFoundException or TenantNotFoundException:
                return GatewayErrors.Status(StatusCode.NotFound, exception.Message);
            case QuotaExceededException quota:
                return GatewayErrors.QuotaExceeded(quota);
            case TenantExistsException or BlueprintVersionConflictException:
                return GatewayErrors.Status(StatusCode.AlreadyExists, exception.Message);
            case BlueprintRejectedException rejected:
                return GatewayErrors.InvalidBlueprint(rejected.Problems);
            case BlueprintPlanningException planning:
                return GatewayErrors.PlanningFailed(planning);
            case LlmNotConfiguredException:
                return GatewayErrors.Status(StatusCode.FailedPrecondition, exception.Message);
            case LlmUnavailableException:
                return GatewayErrors.Status(StatusCode.Unavailable, exception.Message);
            case UnknownEditionException or ArgumentException:
                return GatewayErrors.Status(StatusCode.InvalidArgument, exception.Message);
            case NotSupportedException:
                return GatewayErrors.Status(StatusCode.Unimplemented, exception.Message);
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return GatewayErrors.Status(StatusCode.Cancelled, "The call was cancelled.");
            case TimeoutException or SiloUnavailableException or OrleansMessageRejectionException:
                LogTimeout(logger, context.Method, exception);
                return GatewayErrors.Status(StatusCode.Unavailable, "The cluster did not answer in time; try again.");
            default:
                LogUnexpected(logger, context.Method, exception);
                return GatewayErrors.Status(StatusCode.Internal, "An internal error occurred; it was logged.");
        }
    }
}
