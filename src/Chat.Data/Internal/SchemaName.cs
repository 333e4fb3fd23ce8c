using System.Text.RegularExpressions;

namespace Chat.Data.Internal;

/// <summary>The schema option is spliced into SQL text, so it is held to a plain identifier.</summary>
internal static partial class SchemaName
{
    public static bool IsValid(string? schema) => schema is not null && Pattern().IsMatch(schema);

    public static string Validate(string? schema)
    {
        if (!IsValid(schema))
            throw new ChatDataValidationException(nameof(ChatDataOptions.Schema), "use 1 to 63 lower-case letters, digits or underscores, starting with a letter or underscore.");
        return schema!;
    }

    public static string Quote(string schema) => "\"" + schema + "\"";

    [GeneratedRegex(@"^[a-z_][a-z0-9_]{0,62}\z")]
    private static partial Regex Pattern();
}
