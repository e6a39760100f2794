using System.Globalization;
using Microsoft.Extensions.Options;

namespace Factory.Gateway;

/// <summary>How the gRPC gateway listens and whom it admits (section <c>Factory:Gateway</c>).</summary>
public sealed class FactoryGatewayOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Factory:Gateway";

    /// <summary>The default of <see cref="MaxReceiveMessageSize"/>: 1 MiB.</summary>
    public const int DefaultMaxReceiveMessageSize = 1024 * 1024;

    /// <summary>
    /// Where to listen: <c>http://</c> URLs (HTTP/2 cleartext) separated by <c>;</c>; the host is an IP address,
    /// <c>localhost</c>, or <c>*</c> for every interface; port 0 picks a free one. Default <c>http://127.0.0.1:5000</c>.
    /// </summary>
    public string Urls { get; set; } = "http://127.0.0.1:5000";

    /// <summary>
    /// Lower-case hex SHA-256 of the operator's key (64 characters), the only credential that may call the
    /// Operators service. Default none: the Operators service answers PERMISSION_DENIED to everyone.
    /// </summary>
    public string? OperatorKeySha256 { get; set; }

    /// <summary>The largest request message accepted, in bytes (1 KiB..64 MiB). Default 1 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = DefaultMaxReceiveMessageSize;

    /// <summary>The listening URLs, parsed (valid only after validation).</summary>
    internal IReadOnlyList<Uri> ParsedUrls() =>
        [.. Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => new Uri(u.Replace("://*", "://0.0.0.0", StringComparison.Ordinal)))];
}

/// <summary>Checks <see cref="FactoryGatewayOptions"/>; each failure names the setting.</summary>
public sealed class FactoryGatewayOptionsValidator : IValidateOptions<FactoryGatewayOptions>
{
    /// <summary>The smallest <see cref="FactoryGatewayOptions.MaxReceiveMessageSize"/> accepted.</summary>
    public const int MinMessageSize = 1024;

    /// <summary>The largest <see cref="FactoryGatewayOptions.MaxReceiveMessageSize"/> accepted.</summary>
    public const int MaxMessageSize = 64 * 1024 * 1024;

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, FactoryGatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var urls = (options.Urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length == 0)
        {
            failures.Add($"{FactoryGatewayOptions.Section}:Urls must name at least one http:// URL.");
        }

        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                || uri.Scheme != Uri.UriSchemeHttp
                || uri.AbsolutePath != "/"
                || (uri.HostNameType is not (UriHostNameType.IPv4 or UriHostNameType.IPv6) && !uri.IsLoopback))
            {
                failures.Add($"{FactoryGatewayOptions.Section}:Urls entry '{url}' is not an http://HOST:PORT URL with an IP address, localhost or * as host (the gateway serves HTTP/2 cleartext).");
            }
        }

        if (options.OperatorKeySha256 is { Length: > 0 } hash && !ContentHash.IsSha256Hex(hash))
        {
            failures.Add($"{FactoryGatewayOptions.Section}:OperatorKeySha256 must be the lower-case hex SHA-256 of the operator's key (64 characters 0-9a-f).");
        }

        if (options.MaxReceiveMessageSize is < MinMessageSize or > MaxMessageSize)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"{FactoryGatewayOptions.Section}:MaxReceiveMessageSize must be {MinMessageSize}..{MaxMessageSize} bytes (was {options.MaxReceiveMessageSize})."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
