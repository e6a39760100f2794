using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Factory.Gateway.Security;

/// <summary>
/// Authenticates every call to a <c>factory.v1</c> service and records its <see cref="Caller"/> on the call:
/// only the operator credential may call Operators, and only tenants' keys the other services. Health and
/// reflection answer without a key.
/// </summary>
public sealed class AuthenticationInterceptor(ApiKeyAuthenticator authenticator) : Interceptor
{
    private const string ApiPrefix = "/factory.v1.";
    private const string OperatorsPrefix = "/factory.v1.Operators/";

    /// <inheritdoc/>
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context);
        return await continuation(request, context);
    }

    /// <inheritdoc/>
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context);
        await continuation(request, responseStream, context);
    }

    /// <inheritdoc/>
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context);
        return await continuation(requestStream, context);
    }

    /// <inheritdoc/>
    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context);
        await continuation(requestStream, responseStream, context);
    }

    private async Task AuthorizeAsync(ServerCallContext context)
    {
        if (!context.Method.StartsWith(ApiPrefix, StringComparison.Ordinal))
        {
            return; // health and reflection
        }

        var operators = context.Method.StartsWith(OperatorsPrefix, StringComparison.Ordinal);
        if (operators && !authenticator.OperatorEnabled)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"The Operators service is disabled: no operator credential is configured ({FactoryGatewayOptions.Section}:OperatorKeySha256)."));
        }

        var caller = await authenticator.AuthenticateAsync(context.RequestHeaders);
        if (operators && !caller.IsOperator)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "Only the operator credential may call the Operators service."));
        }

        if (!operators && caller.IsOperator)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                "The operator credential administers tenants only; call this service with a tenant's API key."));
        }

        context.SetCaller(caller);
        if (!caller.IsOperator)
        {
            Activity.Current?.SetTag("factory.tenant", caller.TenantId); // the request's span names its tenant
        }
    }
}
