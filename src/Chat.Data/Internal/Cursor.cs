using System.Buffers.Text;
using System.Text;

namespace Chat.Data.Internal;

/// <summary>
/// Opaque keyset cursors: the sort key of a page's last row, as URL-safe base64 of
/// '|'-separated invariant text. A cursor that does not decode is bad input named "cursor".
/// </summary>
internal static class Cursor
{
    public static string Encode(params ReadOnlySpan<string> parts) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join('|', parts)));

    /// <summary>The cursor's parts, or null for a null cursor (the first page).</summary>
    public static string[]? Decode(string? cursor, int expectedParts)
    {
        if (cursor is null)
            return null;
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split('|');
            if (parts.Length == expectedParts)
                return parts;
        }
        catch (FormatException)
        {
        }
        throw new ChatDataValidationException("cursor", "not a cursor this list returned.");
    }

    public static long Int64(string part) =>
        long.TryParse(part, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ChatDataValidationException("cursor", "not a cursor this list returned.");

    public static Guid Guid(string part) =>
        System.Guid.TryParseExact(part, "N", out var value) ? value : throw new ChatDataValidationException("cursor", "not a cursor this list returned.");

    public static string Text(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Text(Guid value) => value.ToString("N");

    /// <summary>Timestamps travel as UTC ticks, PostgreSQL's microseconds exactly.</summary>
    public static string Text(DateTimeOffset value) => Text(value.UtcTicks);

    public static DateTimeOffset Time(string part) =>
        Int64(part) is var ticks && ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : throw new ChatDataValidationException("cursor", "not a cursor this list returned.");
}
