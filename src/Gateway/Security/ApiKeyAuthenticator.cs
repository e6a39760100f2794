using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Factory.Gateway.Security;

/// <summary>
/// Turns an <c>authorization: Bearer &lt;key&gt;</c> header into a <see cref="Caller"/>: the operator's key
/// (compared by its SHA-256 in constant time), or a tenant's key, looked up by its SHA-256 in
/// <see cref="IApiKeyGrain"/>.
/// </summary>
public sealed class ApiKeyAuthenticator(IGrainFactory grains, IOptions<FactoryGatewayOptions> options)
{
    /// <summary>The longest key accepted (longer ones are refused without a lookup).</summary>
    public const int MaxKeyLength = 512;

    private const string Scheme = "Bearer ";
    private readonly byte[]? _operatorHash = options.Value.OperatorKeySha256 is { Length: > 0 } hex ? Encoding.ASCII.GetBytes(hex) : null;

    /// <summary>Whether an operator credential is configured (otherwise the Operators service is disabled).</summary>
    public bool OperatorEnabled => _operatorHash is not null;

    /// <summary>Whether <paramref name="key"/> is the operator's key (compared by SHA-256 in constant time).</summary>
    public bool IsOperatorKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _operatorHash is not null && key.Length is > 0 and <= MaxKeyLength
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(ContentHash.ApiKeySha256(key)), _operatorHash);
    }

    /// <summary>The caller the request's headers authenticate.</summary>
    /// <exception cref="RpcException">UNAUTHENTICATED: no, malformed, unknown or revoked key.</exception>
    public async Task<Caller> AuthenticateAsync(Metadata headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var header = headers.GetValue("authorization");
        if (string.IsNullOrEmpty(header))
        {
            throw Unauthenticated("Missing API key: send the header `authorization: Bearer <key>`.");
        }

        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw Unauthenticated("Malformed authorization header: expected `Bearer <key>`.");
        }

        var key = header[Scheme.Length..].Trim();
        if (key.Length is 0 or > MaxKeyLength)
        {
            throw Unauthenticated("Malformed authorization header: expected `Bearer <key>` with a key of 1..512 characters.");
        }

        var hash = ContentHash.ApiKeySha256(key);
        if (_operatorHash is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(hash), _operatorHash))
        {
            return Caller.Operator;
        }

        var identity = await grains.GetGrain<IApiKeyGrain>(hash).AuthenticateAsync();
        return identity is null
            ? throw Unauthenticated("The API key is not valid: it is unknown or was revoked.")
            : new Caller(identity.TenantId, identity.KeyId);
    }

    private static RpcException Unauthenticated(string message) => new(new Status(StatusCode.Unauthenticated, message));
}
