using System.Security.Cryptography;
using Chat.Data.Redis.Internal;

namespace Chat.Data.Redis.Tests;

/// <summary>The managed SHA-256 that keys are hashed with gives the platform's digest, byte for byte.</summary>
public sealed class Sha256Tests
{
    [Fact]
    public void Every_length_up_to_three_blocks_and_some_long_inputs_hash_as_the_platform_does()
    {
        var random = new Random(7);
        // Every padding case: the one-block and two-block tails around 55, 56, 63 and 64 bytes, several times over.
        foreach (var length in Enumerable.Range(0, 200).Concat([511, 512, 1_535, 1_536, 4_097]))
        {
            var data = new byte[length];
            random.NextBytes(data);
            var digest = new byte[Sha256.HashSizeInBytes];

            Sha256.HashData(data, digest);

            Assert.Equal(Convert.ToHexString(SHA256.HashData(data)), Convert.ToHexString(digest));
        }
    }
}
