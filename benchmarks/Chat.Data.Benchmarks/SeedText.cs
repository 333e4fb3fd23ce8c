namespace Chat.Data.Benchmarks;

/// <summary>
/// Message texts for the seed: short chat lines from a small vocabulary, some in scripts the 'simple'
/// parser cannot split (where search relies on the trigram index), and a rare word for search to find.
/// </summary>
internal static class SeedText
{
    /// <summary>In messages 500, 1,500, 2,500, ... of a chat (so only in the big group), and in no other text.</summary>
    public const string RareWord = "quokka";

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

    /// <summary>The text of message <paramref name="seq"/> of a chat; every twentieth or so is not in Latin script.</summary>
    public static string Message(Random random, long seq)
    {
        if (seq % 1_000 == 500)
            return $"look, a {RareWord} at the {Words[random.Next(Words.Length)]}!";
        if (random.Next(20) == 0)
            return OtherScripts[random.Next(OtherScripts.Length)];

        var words = new string[random.Next(3, 16)];
        for (var i = 0; i < words.Length; i++)
            words[i] = Words[random.Next(Words.Length)];
        return string.Join(' ', words);
    }
}
