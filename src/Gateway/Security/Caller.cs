using Grpc.Core;

namespace Factory.Gateway.Security;

/// <summary>Who is calling: a tenant (through one of its API keys) or the operator.</summary>
/// <param name="TenantId">The tenant, or empty for the operator.</param>
/// <param name="KeyId">The API key's public id, or empty for the operator.</param>
public sealed record Caller(string TenantId, string KeyId)
{
    /// <summary>The operator credential.</summary>
    public static Caller Operator { get; } = new("", "");

    /// <summary>Whether this is the operator.</summary>
    public bool IsOperator => TenantId.Length == 0;
}

/// <summary>The caller of a call, as the authentication interceptor recorded it.</summary>
public static class CallerContext
{
    private const string Key = "factory.caller";

    /// <summary>Records <paramref name="caller"/> on the call.</summary>
    internal static void SetCaller(this ServerCallContext context, Caller caller) => context.UserState[Key] = caller;

    /// <summary>The authenticated caller (the interceptor refuses every call it cannot authenticate).</summary>
    public static Caller Caller(this ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.UserState.TryGetValue(Key, out var value) && value is Caller caller
            ? caller
            : throw new RpcException(new Status(StatusCode.Unauthenticated, "The call is not authenticated."));
    }

    /// <summary>The calling tenant's id.</summary>
    public static string TenantId(this ServerCallContext context) => context.Caller().TenantId;
}
