using System.Security.Cryptography;

namespace Factory;

/// <summary>SHA-256 content addresses.</summary>
public static class ContentHash
{
    /// <summary>Lower-case hex SHA-256 of <paramref name="content"/>.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> content)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(content, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Whether <paramref name="value"/> is 64 lower-case hex characters.</summary>
    public static bool IsSha256Hex(string value) =>
        value.Length == 64 && value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    /// <summary>
    /// The key of a secret's <see cref="IApiKeyGrain"/>: the lower-case hex SHA-256 of its UTF-8 bytes. The tenant
    /// that issues a key and the gateway that authenticates it both compute it here.
    /// </summary>
    public static string ApiKeySha256(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Sha256Hex(System.Text.Encoding.UTF8.GetBytes(secret));
    }
}
