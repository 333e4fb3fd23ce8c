using Chat.Data.Messages;

namespace Chat.Data.Benchmarks.Suites;

/// <summary>The one-time checks that the three ways return the same: a faster wrong answer is no result.</summary>
internal static class Agree
{
    private static readonly Guid[] NoMentions = [];

    /// <summary>Fails the run when the ways disagree on <paramref name="operation"/>.</summary>
    public static void Require(bool agree, string operation)
    {
        if (!agree)
            throw new InvalidOperationException($"The benchmarked ways return different results for {operation}.");
    }

    /// <summary>Records compare lists by reference; messages compare their mentions by content.</summary>
    public static bool Same(Message a, Message b) =>
        a with { Mentions = NoMentions } == b with { Mentions = NoMentions } && a.Mentions.SequenceEqual(b.Mentions);

    public static bool Same(MessagePage a, MessagePage b) =>
        a.ReachedOldest == b.ReachedOldest && a.ReachedNewest == b.ReachedNewest &&
        a.Messages.Count == b.Messages.Count && a.Messages.Zip(b.Messages).All(p => Same(p.First, p.Second));

    /// <summary>The same messages in the same order; ranks may differ in the last bits of a double.</summary>
    public static bool Same(IReadOnlyList<MessageSearchHit> a, IReadOnlyList<MessageSearchHit> b) =>
        a.Count == b.Count && a.Zip(b).All(p => Same(p.First.Message, p.Second.Message) && Math.Abs(p.First.Rank - p.Second.Rank) < 1e-9);
}
