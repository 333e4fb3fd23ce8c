using System.Collections.Frozen;
using System.Text;

namespace Chat.Data.Internal;

/// <summary>
/// The one place an enum meets its text column: each member is stored as its name in snake_case
/// (<c>DocumentCard</c> is <c>document_card</c>), the values the table's CHECK constraint lists.
/// </summary>
internal static class DbEnum<TEnum>
    where TEnum : struct, Enum
{
    private static readonly FrozenDictionary<TEnum, string> ToText =
        Enum.GetValues<TEnum>().ToFrozenDictionary(v => v, v => SnakeCase(v.ToString()));

    private static readonly FrozenDictionary<string, TEnum> FromText =
        ToText.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    /// <summary>The column text for <paramref name="value"/>; an undefined value is bad input named <paramref name="field"/>.</summary>
    public static string ToDb(TEnum value, string field) =>
        ToText.TryGetValue(value, out var text) ? text : throw new ChatDataValidationException(field, $"'{value}' is not a {typeof(TEnum).Name}.");

    public static TEnum FromDb(string text) =>
        FromText.TryGetValue(text, out var value) ? value : throw new InvalidOperationException($"'{text}' in the database is not a {typeof(TEnum).Name}.");

    private static string SnakeCase(string name)
    {
        var result = new StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && result.Length > 0)
                result.Append('_');
            result.Append(char.ToLowerInvariant(c));
        }
        return result.ToString();
    }
}
