using System.Security.Cryptography;

namespace Factory.Bundles;

/// <summary>SHA-256 content addresses, as the artifact store computes them.</summary>
public static class BundleHash
{
    /// <summary>Lower-case hex SHA-256 of <paramref name="content"/>.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> content)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(content, hash);
        return Convert.ToHexStringLower(hash);
    }
}
