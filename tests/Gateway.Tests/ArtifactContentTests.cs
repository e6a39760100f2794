using System.Security.Cryptography;
using Factory.Grains.Storage;

namespace Factory.Gateway.Tests;

/// <summary>The stateless grain that serves stored content in slices to gateways without the store's folder.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ArtifactContentTests(GatewayFixture fixture)
{
    [Fact]
    public async Task SlicesReassembleToTheStoredContent()
    {
        var content = RandomNumberGenerator.GetBytes(200_000);
        var address = await new FileSystemArtifactStore(fixture.ArtifactsPath).PutAsync(content);
        var grain = fixture.Cluster.Client.GetGrain<IArtifactContentGrain>(0);

        using var read = new MemoryStream();
        for (long offset = 0; ; offset += 65_536)
        {
            var slice = await grain.ReadAsync(address.Sha256, offset, 65_536);
            Assert.NotNull(slice);
            if (slice.Length == 0)
            {
                break;
            }

            read.Write(slice);
        }

        Assert.Equal(content, read.ToArray());
    }

    [Fact]
    public async Task UnknownContentIsNullAndABadHashIsRefused()
    {
        var grain = fixture.Cluster.Client.GetGrain<IArtifactContentGrain>(0);
        Assert.Null(await grain.ReadAsync(new string('0', 64), 0, 10));
        await Assert.ThrowsAsync<ArgumentException>(() => grain.ReadAsync("../../etc/passwd", 0, 10));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => grain.ReadAsync(new string('0', 64), 0, IArtifactContentGrain.MaxCount + 1));
    }
}
