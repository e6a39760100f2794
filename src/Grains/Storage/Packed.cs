using System.IO.Compression;

namespace Factory.Grains.Storage;

/// <summary>
/// Bytes kept compressed in memory (Brotli at its fastest quality): for what a process holds long and reads seldom,
/// such as embedded mode's grain states and ended runs' journals.
/// </summary>
public readonly record struct Packed
{
    private const int Quality = 1;
    private const int Window = 22;
    private readonly byte[] _bytes;

    private Packed(byte[] bytes, int length)
    {
        _bytes = bytes;
        Length = length;
    }

    /// <summary>The length of the bytes unpacked.</summary>
    public int Length { get; }

    /// <summary>The length of the bytes packed.</summary>
    public int PackedLength => _bytes?.Length ?? 0;

    /// <summary>Packs <paramref name="bytes"/>.</summary>
    public static Packed Pack(ReadOnlySpan<byte> bytes)
    {
        var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(bytes.Length)];
        if (!BrotliEncoder.TryCompress(bytes, buffer, out var written, Quality, Window))
        {
            throw new InvalidOperationException($"{bytes.Length} bytes did not compress into a buffer of the maximum compressed length.");
        }

        return new Packed(buffer.AsSpan(0, written).ToArray(), bytes.Length);
    }

    /// <summary>The bytes, unpacked.</summary>
    public byte[] Unpack()
    {
        var bytes = new byte[Length];
        if (!BrotliDecoder.TryDecompress(_bytes ?? [], bytes, out var written) || written != Length)
        {
            throw new InvalidOperationException($"{PackedLength} packed bytes did not unpack to their {Length} bytes.");
        }

        return bytes;
    }
}
