using System.Text;
using Microsoft.Net.Http.Headers;

namespace Factory.Gateway.Security;

/// <summary>
/// Admits an HTTP request only with the operator's credential (the key the Operators service takes), sent as
/// <c>Authorization: Bearer &lt;key&gt;</c> or as the password of HTTP Basic authentication (any user name), so a
/// browser can present it. Anything else is answered 401 with a Basic challenge; with no operator credential
/// configured, 403.
/// </summary>
public sealed class OperatorOnlyEndpointFilter(ApiKeyAuthenticator authenticator) : IEndpointFilter
{
    /// <summary>The realm of the Basic challenge.</summary>
    public const string Realm = "Factory operator";

    /// <inheritdoc/>
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!authenticator.OperatorEnabled)
        {
            return Results.Problem(
                $"No operator credential is configured ({FactoryGatewayOptions.Section}:OperatorKeySha256).",
                statusCode: StatusCodes.Status403Forbidden);
        }

        if (KeyOf(context.HttpContext.Request.Headers.Authorization.ToString()) is { } key && authenticator.IsOperatorKey(key))
        {
            return await next(context);
        }

        context.HttpContext.Response.Headers[HeaderNames.WWWAuthenticate] = $"Basic realm=\"{Realm}\", charset=\"UTF-8\"";
        return Results.Problem("The operator's credential is required (Authorization: Bearer <key>, or Basic with the key as password).",
            statusCode: StatusCodes.Status401Unauthorized);
    }

    private static string? KeyOf(string header)
    {
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : decoded[(colon + 1)..];
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
