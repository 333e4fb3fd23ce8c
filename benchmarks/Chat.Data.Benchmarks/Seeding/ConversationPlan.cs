using System.Buffers.Binary;

namespace Chat.Data.Benchmarks.Seeding;

/// <summary>One chat the seeder writes: its members by user number, and its messages by count and spacing.</summary>
/// <param name="Index">The chat's place in the plan: chat 0 is the big group.</param>
internal sealed record PlannedChat(int Index, string Type, string? Name, string? Slug, int[] Members, int Messages, DateTimeOffset LastActivity, TimeSpan Spacing)
{
    public Guid Id => SeedId(CreatedAt, 0);

    public DateTimeOffset CreatedAt => MessageAt(1).AddHours(-1);

    public DateTimeOffset MessageAt(long seq) => LastActivity - Spacing * (Messages - seq);

    public Guid MessageId(long seq) => SeedId(MessageAt(seq), seq);

    /// <summary>Messages not deleted for everyone: chats.message_count.</summary>
    public long LiveMessages => Messages - (Messages < 13 ? 0 : (Messages - 13) / 97 + 1);

    /// <summary>Deleted for everyone (the unread counts subtract them): seq 13 of most small chats, and about 1% of the big group.</summary>
    public static bool IsDeleted(long seq) => seq % 97 == 13;

    /// <summary>
    /// A UUID v7 of <paramref name="at"/>, as the library makes ids, whose random bits are this chat's index and
    /// <paramref name="seq"/> instead: unique by construction, the same on every run, and twenty times cheaper
    /// than <see cref="Guid.CreateVersion7(DateTimeOffset)"/>, which asks the operating system for random bytes.
    /// </summary>
    private Guid SeedId(DateTimeOffset at, long seq)
    {
        Span<byte> bytes = stackalloc byte[16];
        // 48 bits of Unix milliseconds, version 7, then 12 bits of the index; variant 10, then the index's other 12 bits and a 40-bit seq.
        BinaryPrimitives.WriteInt64BigEndian(bytes, at.ToUnixTimeMilliseconds() << 16 | 0x7000 | (uint)(Index >> 12 & 0xFFF));
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], 0x8000_0000_0000_0000UL | (ulong)(Index & 0xFFF) << 40 | (ulong)seq);
        return new Guid(bytes, bigEndian: true);
    }
}

/// <summary>
/// The chats of a <see cref="SeedShape"/>, planned from a fixed random seed so every run plans the same: the big
/// group, the send chats, the bench user's chats, the huge groups, the medium groups, then the other small chats.
/// </summary>
internal static class ConversationPlan
{
    /// <summary>The first user by number that random picks may choose: the bench user, the sender and the readers come before.</summary>
    private const int FirstPickable = ConversationSeeder.FirstReader + ConversationSeeder.Readers;

    // Pareto with alpha below 1: most chats hold a handful of messages, a few hold most of them.
    private const double TailAlpha = 0.9;

    private static readonly TimeSpan Year = TimeSpan.FromDays(365);

    public static List<PlannedChat> Make(SeedShape shape, DateTimeOffset now)
    {
        var random = new Random(2026);
        var chats = new List<PlannedChat>(shape.Chats);
        PlannedChat Add(string type, string? name, string? slug, int[] members, int messages, DateTimeOffset lastActivity, TimeSpan spacing)
        {
            var chat = new PlannedChat(chats.Count, type, name, slug, members, messages, lastActivity, spacing);
            chats.Add(chat);
            return chat;
        }

        // A year of history for the big and the huge groups.
        Add("group", "Big group", ConversationSeeder.BigChatSlug, [.. Enumerable.Range(0, shape.BigChatMembers)],
            shape.BigChatMessages, now.AddMinutes(-1), Year / shape.BigChatMessages);
        foreach (var slug in ConversationSeeder.SendChatSlugs)
            Add("group", slug, slug, [ConversationSeeder.Sender], 0, now.AddDays(-1), TimeSpan.Zero);

        // Small chats take a message every seven minutes while they are active: the bench user's first.
        var small = LongTail(random, shape.BenchUserChats - 1 + shape.OtherSmallChats, shape.SmallChatMessages, min: 1, cap: 1_000);
        var next = 0;
        var smallSpacing = TimeSpan.FromMinutes(7);
        // Every fourth a small group, the others direct chats with distinct partners, active from minutes to days ago.
        for (var i = 1; i < shape.BenchUserChats; i++)
        {
            var group = i % 4 == 0;
            Add(group ? "group" : "direct", group ? "Group" : null, null,
                group ? [ConversationSeeder.BenchUser, .. Pick(random, shape, 2, 11)] : [ConversationSeeder.BenchUser, shape.Participants - 1 - i],
                small[next++], now.AddMinutes(-45 * i - random.Next(45)), smallSpacing);
        }

        for (var i = 0; i < shape.HugeGroups; i++)
        {
            Add("group", $"Community {i + 1}", null, Pick(random, shape, shape.BigChatMembers / 2, shape.BigChatMembers),
                shape.HugeGroupMessages, now.AddMinutes(-random.Next(60)), Year / shape.HugeGroupMessages);
        }

        // A quarter of a year of history, busy within the last week.
        foreach (var messages in LongTail(random, shape.MediumGroups, shape.MediumGroupMessages, min: 500, cap: 30))
            Add("group", "Team", null, Pick(random, shape, 20, 150), messages, now.AddMinutes(-random.Next(60 * 24 * 7)), TimeSpan.FromDays(91) / messages);

        // Four in five direct, each pair of users once; active within the last month.
        var pairs = new HashSet<(int, int)>();
        for (var i = 0; i < shape.OtherSmallChats; i++)
        {
            var group = i % 5 == 0;
            int[] members;
            do
                members = Pick(random, shape, group ? 3 : 2, group ? 20 : 2);
            while (!group && !pairs.Add((Math.Min(members[0], members[1]), Math.Max(members[0], members[1]))));
            Add(group ? "group" : "direct", group ? "Group" : null, null, members, small[next++], now.AddMinutes(-random.Next(60 * 24 * 30)), smallSpacing);
        }
        return chats;
    }

    /// <summary>
    /// <paramref name="count"/> message counts of at least <paramref name="min"/> that add up to exactly
    /// <paramref name="total"/>, long-tailed: the biggest is about <paramref name="cap"/> times the typical share.
    /// </summary>
    private static int[] LongTail(Random random, int count, long total, int min, double cap)
    {
        var weights = new double[count];
        for (var i = 0; i < count; i++)
            weights[i] = Math.Min(cap, Math.Pow(1 - random.NextDouble(), -1 / TailAlpha));
        var spare = total - (long)count * min;
        if (spare < 0)
            throw new InvalidOperationException($"{count:N0} chats of at least {min:N0} messages need more than {total:N0}.");

        var sum = weights.Sum();
        var counts = new int[count];
        var given = 0L;
        for (var i = 0; i < count; i++)
        {
            counts[i] = min + (int)(spare * weights[i] / sum);
            given += counts[i];
        }
        // Rounding down left less than one message per chat: one more each to the first ones.
        for (var i = 0; given < total; i++, given++)
            counts[i]++;
        return counts;
    }

    /// <summary>Distinct participants other than the bench user, the sender and the readers, between min and max of them.</summary>
    private static int[] Pick(Random random, SeedShape shape, int min, int max)
    {
        var picked = new HashSet<int>();
        var count = random.Next(min, max + 1);
        while (picked.Count < count)
            picked.Add(random.Next(FirstPickable, shape.Participants));
        return [.. picked];
    }
}
