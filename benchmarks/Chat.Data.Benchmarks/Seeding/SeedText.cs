namespace Chat.Data.Benchmarks.Seeding;

/// <summary>
/// Message texts for the seed: short chat lines from a small vocabulary, some in scripts the 'simple'
/// parser cannot split (where search relies on the trigram index), and a rare word for search to find.
/// Made once into a pool the seeder picks from, so ten million messages cost no string building.
/// </summary>
internal static class SeedText
{
    /// <summary>In messages 500, 1,500, 2,500, ... of the big group (see <see cref="Rare"/>), and in no other text.</summary>
    public const string RareWord = "quokka";

    private const int PoolSize = 1 << 16;

    private static readonly string[] Words =
    [
        "ok", "yes", "no", "see", "you", "tomorrow", "today", "meeting", "at", "the", "office", "lunch", "call", "me",
        "later", "thanks", "please", "send", "file", "photo", "where", "are", "we", "going", "done", "sure", "maybe",
        "halo", "apa", "kabar", "baik", "terima", "kasih", "makan", "siang", "besok", "rapat", "jam", "sudah", "belum",
        "invoice", "order", "shipped", "price", "deal", "weekend", "coffee", "train", "late", "sorry", "great", "nice",
    ];

    private static readonly string[] OtherScripts =
    [
        "明日の会議は十時からです", "我们明天在办公室见", "สวัสดีครับ พรุ่งนี้เจอกัน", "Привет, как дела? Созвонимся вечером",
        "مرحبا، أراك غدا في المكتب", "안녕하세요 내일 회의 있어요", "Καλημέρα, τα λέμε αύριο",
    ];

    // From a fixed seed, so every run writes the same texts: 3 to 15 words, or (one in twenty) another script.
    private static readonly string[] Pool = MakePool(new Random(11));

    private static readonly string[] RarePool = [.. Words.Select(word => $"look, a {RareWord} at the {word}!")];

    /// <summary>Whether message <paramref name="seq"/> of the big group holds the rare word.</summary>
    public static bool IsRare(long seq) => seq % 1_000 == 500;

    /// <summary>A message text without the rare word.</summary>
    public static string Message(Random random) => Pool[random.Next(PoolSize)];

    /// <summary>A message text with the rare word.</summary>
    public static string Rare(Random random) => RarePool[random.Next(RarePool.Length)];

    private static string[] MakePool(Random random)
    {
        var pool = new string[PoolSize];
        for (var n = 0; n < pool.Length; n++)
        {
            if (random.Next(20) == 0)
            {
                pool[n] = OtherScripts[random.Next(OtherScripts.Length)];
                continue;
            }
            var words = new string[random.Next(3, 16)];
            for (var i = 0; i < words.Length; i++)
                words[i] = Words[random.Next(Words.Length)];
            pool[n] = string.Join(' ', words);
        }
        return pool;
    }
}
