using System.CommandLine;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Spectre.Console;
using V1 = Factory.Gateway.V1;

namespace Factory.Cli.Client;

/// <summary>
/// The <c>--gateway</c> and <c>--key</c> options every client verb takes, the channel they make (the key
/// sent as <c>authorization: Bearer</c> call credentials on every call), and the mapping of the gateway's
/// status codes to messages and exit codes, in one place.
/// </summary>
internal sealed class GatewayConnection : IDisposable
{
    /// <summary>The environment variable naming the gateway's URL.</summary>
    public const string GatewayVariable = "FACTORY_GATEWAY";

    /// <summary>The environment variable holding the API key.</summary>
    public const string KeyVariable = "FACTORY_API_KEY";

    /// <summary>The gateway's URL when neither <c>--gateway</c> nor <see cref="GatewayVariable"/> names one.</summary>
    public const string DefaultGateway = "http://127.0.0.1:5000";

    private readonly GrpcChannel _channel;

    private GatewayConnection(Uri address, string key)
    {
        Address = address;
        var bearer = CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("authorization", $"Bearer {key}");
            return System.Threading.Tasks.Task.CompletedTask;
        });
        var secure = address.Scheme == Uri.UriSchemeHttps;
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Create(secure ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure, bearer),
            UnsafeUseInsecureChannelCallCredentials = !secure,
            MaxReceiveMessageSize = 16 * 1024 * 1024,
        });
    }

    /// <summary>The gateway's URL.</summary>
    public Uri Address { get; }

    /// <summary>The <c>Runs</c> service.</summary>
    public V1.Runs.RunsClient Runs => new(_channel);

    /// <summary>The <c>Blueprints</c> service.</summary>
    public V1.Blueprints.BlueprintsClient Blueprints => new(_channel);

    /// <summary>The <c>Operators</c> service.</summary>
    public V1.Operators.OperatorsClient Operators => new(_channel);

    /// <summary>Adds <c>--gateway</c> and <c>--key</c> to <paramref name="command"/>.</summary>
    public static Options AddOptions(Command command)
    {
        // No DefaultValueFactory: help would print the defaults, and the key must never be printed.
        var gateway = new Option<string?>("--gateway") { Description = $"The gateway's URL (default: ${GatewayVariable}, else {DefaultGateway})." };
        var key = new Option<string?>("--key") { Description = $"The API key (default: ${KeyVariable})." };
        command.Options.Add(gateway);
        command.Options.Add(key);
        return new Options(gateway, key);
    }

    /// <summary>
    /// Whether <c>--gateway</c> or <see cref="GatewayVariable"/> names a gateway: the verbs that also run
    /// embedded (<c>bundle</c>, <c>replay</c>, <c>diff</c>) then work against it.
    /// </summary>
    public static bool IsRequested(ParseResult parse, Options options) =>
        parse.GetValue(options.Gateway) is { Length: > 0 } || Environment.GetEnvironmentVariable(GatewayVariable) is { Length: > 0 };

    /// <summary>
    /// Prints, for each of <paramref name="embeddedOnly"/> given on the command line, that it does not apply to a
    /// gateway; returns whether any was given.
    /// </summary>
    public static bool RefusesEmbeddedOptions(ParseResult parse, IAnsiConsole errors, params Option[] embeddedOnly)
    {
        var given = embeddedOnly.Where(o => parse.GetResult(o) is { Implicit: false }).ToList();
        foreach (var option in given)
        {
            errors.MarkupLine($"[red]{Markup.Escape(option.Name)} applies to the embedded mode only, not with a gateway.[/]");
        }

        return given.Count > 0;
    }

    /// <summary>
    /// Connects as <paramref name="parse"/>'s options say, runs <paramref name="call"/>, and maps a refused call
    /// to its message on <paramref name="errors"/> and its exit code (see <see cref="Report"/>).
    /// </summary>
    /// <param name="parse">The parsed command line.</param>
    /// <param name="options">The verb's <c>--gateway</c> and <c>--key</c>.</param>
    /// <param name="errors">Where problems go.</param>
    /// <param name="runId">The run the verb is about, named when the gateway does not find it.</param>
    /// <param name="call">The verb's work; returns its exit code.</param>
    /// <param name="cancellationToken">Stops the verb.</param>
    public static async Task<int> RunAsync(
        ParseResult parse, Options options, IAnsiConsole errors, string? runId,
        Func<GatewayConnection, Task<int>> call, CancellationToken cancellationToken)
    {
        var (url, source) = parse.GetValue(options.Gateway) is { Length: > 0 } given ? (given, "--gateway")
            : Environment.GetEnvironmentVariable(GatewayVariable) is { Length: > 0 } fromEnvironment ? (fromEnvironment, GatewayVariable)
            : (DefaultGateway, "the default gateway");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var address) || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            errors.MarkupLine($"[red]{source} '{Markup.Escape(url)}' is not an http:// or https:// URL.[/]");
            return ExitCodes.InvalidInput;
        }

        var key = parse.GetValue(options.Key) is { Length: > 0 } givenKey ? givenKey : Environment.GetEnvironmentVariable(KeyVariable);
        if (string.IsNullOrWhiteSpace(key))
        {
            errors.MarkupLine($"[red]No API key: pass --key or set {KeyVariable}.[/]");
            return ExitCodes.InvalidInput;
        }

        using var connection = new GatewayConnection(address, key.Trim());
        try
        {
            return await call(connection);
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            errors.MarkupLine("[yellow]Interrupted.[/]");
            return ExitCodes.Cancelled;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            errors.MarkupLine("[yellow]Interrupted.[/]");
            return ExitCodes.Cancelled;
        }
        catch (RpcException exception)
        {
            return Report(exception, errors, address, runId);
        }
    }

    /// <summary>
    /// Prints what the gateway refused and returns the exit code: UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND,
    /// INVALID_ARGUMENT (each field violation as <c>path: description</c>), ALREADY_EXISTS and FAILED_PRECONDITION
    /// (a run that has not ended) are bad input (2);
    /// RESOURCE_EXHAUSTED (with its quota failures), UNAVAILABLE and anything else are failures (1).
    /// </summary>
    public static int Report(RpcException exception, IAnsiConsole errors, Uri gateway, string? runId)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(errors);
        var detail = exception.Status.Detail;
        var status = exception.GetRpcStatus();
        switch (exception.StatusCode)
        {
            case StatusCode.Unauthenticated:
                Error(errors, $"Not authenticated: {detail}");
                return ExitCodes.InvalidInput;
            case StatusCode.PermissionDenied:
                Error(errors, $"Permission denied: {detail}");
                return ExitCodes.InvalidInput;
            case StatusCode.NotFound:
                // The gateway names what it did not find (a run, an artifact, a blueprint, a tenant).
                Error(errors, detail.Length > 0 ? detail : runId is null ? "Not found." : $"Run '{runId}' was not found.");
                return ExitCodes.InvalidInput;
            case StatusCode.InvalidArgument:
                Error(errors, $"Invalid argument: {detail}");
                foreach (var violation in status?.GetDetail<BadRequest>()?.FieldViolations ?? [])
                {
                    errors.WriteLine($"  {violation.Field}: {violation.Description}");
                }

                return ExitCodes.InvalidInput;
            case StatusCode.FailedPrecondition:
                Error(errors, $"Not possible yet: {detail}");
                return ExitCodes.InvalidInput;
            case StatusCode.AlreadyExists:
                Error(errors, $"Already exists: {detail}");
                return ExitCodes.InvalidInput;
            case StatusCode.ResourceExhausted:
                Error(errors, $"Quota exceeded: {detail}");
                foreach (var violation in status?.GetDetail<QuotaFailure>()?.Violations ?? [])
                {
                    errors.WriteLine($"  {violation.Subject}: {violation.Description}");
                }

                return ExitCodes.RunFailed;
            case StatusCode.Unavailable when exception.Status.DebugException is null:
                // Answered by the gateway (the cluster, or a tenant's chat endpoint), not a transport failure.
                Error(errors, $"Unavailable: {detail}");
                return ExitCodes.RunFailed;
            case StatusCode.Unavailable:
                Error(errors, $"Gateway not reachable at {gateway}: {detail}");
                return ExitCodes.RunFailed;
            default:
                Error(errors, $"The gateway at {gateway} answered {exception.StatusCode}: {detail}");
                return ExitCodes.RunFailed;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _channel.Dispose();

    private static void Error(IAnsiConsole errors, string message) => errors.MarkupLine($"[red]{Markup.Escape(message)}[/]");

    /// <summary>A verb's <c>--gateway</c> and <c>--key</c> options.</summary>
    public sealed record Options(Option<string?> Gateway, Option<string?> Key);
}
