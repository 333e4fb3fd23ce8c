using Chat.Data.Internal;

namespace Chat.Data.Documents;

/// <summary>The document tables' rules, checked before the database (the tables' CHECK constraints hold the same ones).</summary>
internal static class DocumentFields
{
    public const int MaxBlockContent = 100_000;
    public const int MaxTableJson = 1_000_000;
    public const int MaxReorderIds = 1_000;

    public static string Title(string? title, string field) => Check.Required(title, field, 200);

    public static string Icon(string? icon, string field) => Check.Required(icon, field, 50);

    public static string? Cover(string? cover, string field) => Check.Optional(cover, field, 500);

    public static string Tag(string? tag, string field) => Check.Required(tag, field, 100);

    public static string SignerName(string? name, string field) => Check.Required(name, field, 100);

    public static string Action(string? action, string field) => Check.Required(action, field, 50);

    public static string? Content(string? content, string field) => Check.Optional(content, field, MaxBlockContent);

    public static string? Language(string? language, string field) => Check.Optional(language, field, 30);

    public static string? Emoji(string? emoji, string field) => Check.Optional(emoji, field, 50);

    public static string? Color(string? color, string field) => Check.Optional(color, field, 20);

    /// <summary>The ids of a call about one user of a document, by one actor.</summary>
    public static void Ids(Guid documentId, Guid userId, Guid actorId)
    {
        Check.NotEmpty(documentId, nameof(documentId));
        Check.NotEmpty(userId, nameof(userId));
        Check.NotEmpty(actorId, nameof(actorId));
    }

    public static int? Position(int? position, string field) =>
        position < 0 ? throw new ChatDataValidationException(field, $"a position of 0 or more is required ({position} given).") : position;

    /// <summary>Null, the empty string when <paramref name="allowEmpty"/> (an update clearing the field), or the text of one JSON array.</summary>
    public static string? JsonArray(string? json, string field, bool allowEmpty) =>
        allowEmpty && json is { Length: 0 }
            ? json
            : Check.Json(json, field, MaxTableJson, System.Text.Json.JsonValueKind.Array,
                "a JSON array is required, for example [[\"Plot\", \"Area\"], [\"A-12\", \"300 m2\"]].");

    /// <summary>
    /// Refuses a field the block's type does not use: a check mark is a checklist's, rows and columns
    /// a table's, a language a code block's, an emoji a callout's. Clearing (the empty string) is always allowed.
    /// </summary>
    public static void FitsType(BlockType type, bool? isChecked, string? rows, string? columns, string? language, string? emoji)
    {
        Fits(isChecked is not null, type == BlockType.Checklist, nameof(NewBlock.Checked), "only a checklist item has a check mark.");
        Fits(rows is { Length: > 0 }, type == BlockType.Table, nameof(NewBlock.Rows), "only a table has rows.");
        Fits(columns is { Length: > 0 }, type == BlockType.Table, nameof(NewBlock.Columns), "only a table has columns.");
        Fits(language is { Length: > 0 }, type == BlockType.Code, nameof(NewBlock.Language), "only a code block has a language.");
        Fits(emoji is { Length: > 0 }, type == BlockType.Callout, nameof(NewBlock.Emoji), "only a callout has an emoji.");

        static void Fits(bool given, bool used, string field, string reason)
        {
            if (given && !used)
                throw new ChatDataValidationException(field, reason);
        }
    }

    /// <summary>The ids, each non-empty and given once (an order names every block once), at most <see cref="MaxReorderIds"/>.</summary>
    public static Guid[] DistinctIds(IReadOnlyList<Guid>? ids, string field)
    {
        var distinct = Check.Ids(ids, field, MaxReorderIds);
        return distinct.Length == ids!.Count ? distinct : throw new ChatDataValidationException(field, "each block may appear once.");
    }
}
