using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Factory.Gateway;

/// <summary>
/// Refuses a <c>factory.v1</c> request whose message is larger than <see cref="FactoryGatewayOptions.MaxReceiveMessageSize"/>
/// before it is read: it peeks at the gRPC frame's length prefix and answers RESOURCE_EXHAUSTED stating the size and
/// the limit. gRPC's own limit (the same number) still applies to whatever passes.
/// </summary>
public sealed class MessageSizeLimitMiddleware(RequestDelegate next, IOptions<FactoryGatewayOptions> options)
{
    private const int FrameHeaderSize = 5;
    private readonly int _limit = options.Value.MaxReceiveMessageSize;

    /// <summary>Checks the request, then hands it on.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.Path.Value?.StartsWith("/factory.v1.", StringComparison.Ordinal) == true
            && context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
        {
            var reader = context.Request.BodyReader;
            var read = await reader.ReadAtLeastAsync(FrameHeaderSize, context.RequestAborted);
            var buffer = read.Buffer;
            long? length = null;
            if (buffer.Length >= FrameHeaderSize)
            {
                Span<byte> header = stackalloc byte[FrameHeaderSize];
                buffer.Slice(0, FrameHeaderSize).CopyTo(header);
                length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
            }

            reader.AdvanceTo(buffer.Start, buffer.Start); // peeked only: gRPC reads the whole frame
            if (length > _limit)
            {
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = "application/grpc";
                context.Response.Headers["grpc-status"] = "8"; // RESOURCE_EXHAUSTED
                context.Response.Headers["grpc-message"] = Uri.EscapeDataString(string.Create(CultureInfo.InvariantCulture,
                    $"The request message is {length} bytes; the limit is {_limit} bytes ({FactoryGatewayOptions.Section}:MaxReceiveMessageSize)."));
                return;
            }
        }

        await next(context);
    }
}
