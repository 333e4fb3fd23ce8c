namespace Chat.Data.Sample.Tests;

/// <summary>The test classes share one running sample (and its database).</summary>
[CollectionDefinition(Name)]
public sealed class SampleCollection : ICollectionFixture<SampleServer>
{
    public const string Name = "Sample";
}
