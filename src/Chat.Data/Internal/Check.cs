using System.Text.Json;

namespace Chat.Data.Internal;

/// <summary>Input checks run before the database or Redis, each naming the field it rejects.</summary>
internal static class Check
{
    public static Guid NotEmpty(Guid id, string field)
    {
        if (id == Guid.Empty)
            throw new ChatDataValidationException(field, "an id is required (Guid.Empty given).");
        return id;
    }

    /// <summary>Null, or an id that is not empty.</summary>
    public static Guid? OptionalId(Guid? id, string field)
    {
        if (id is { } value)
            NotEmpty(value, field);
        return id;
    }

    public static T NotNull<T>(T? value, string field)
        where T : class
        => value ?? throw new ChatDataValidationException(field, "a value is required (null given).");

    public static TimeSpan Positive(TimeSpan value, string field, TimeSpan max)
    {
        if (value <= TimeSpan.Zero)
            throw new ChatDataValidationException(field, $"must be positive ({value} given).");
        if (value > max)
            throw new ChatDataValidationException(field, $"must be at most {max} ({value} given).");
        return value;
    }

    public static int AtLeastOne(int value, string field)
    {
        if (value < 1)
            throw new ChatDataValidationException(field, $"must be at least 1 ({value} given).");
        return value;
    }

    /// <summary>Rejects null, blank, over-long or unstorable text (see <see cref="Optional"/>); returns it for chaining.</summary>
    public static string Required(string? value, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ChatDataValidationException(field, "a non-blank value is required.");
        return Optional(value, field, maxLength)!;
    }

    /// <summary>
    /// Like <see cref="Required"/> but null is allowed. Text PostgreSQL cannot store is refused: a NUL
    /// character, or half of a UTF-16 surrogate pair (a JSON body's "\ud800" deserializes to one),
    /// which the driver cannot encode as UTF-8.
    /// </summary>
    public static string? Optional(string? value, string field, int maxLength)
    {
        if (value is null)
            return null;
        if (value.Length > maxLength)
            throw new ChatDataValidationException(field, $"at most {maxLength} characters are allowed ({value.Length} given).");
        if (value.Contains('\0'))
            throw new ChatDataValidationException(field, "NUL characters cannot be stored.");
        if (HasLoneSurrogate(value))
            throw new ChatDataValidationException(field, "the text is not valid UTF-16: it holds half of a surrogate pair.");
        return value;
    }

    private static bool HasLoneSurrogate(ReadOnlySpan<char> text)
    {
        for (var i = text.IndexOfAnyInRange('\ud800', '\udfff'); i >= 0 && i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i]))
                continue;
            if (!char.IsHighSurrogate(text[i]) || i + 1 == text.Length || !char.IsLowSurrogate(text[i + 1]))
                return true;
            i++;
        }
        return false;
    }

    /// <summary>A page size from 1 to <paramref name="max"/>.</summary>
    public static int Limit(int limit, int max = 200)
    {
        if (limit < 1 || limit > max)
            throw new ChatDataValidationException("limit", $"use 1 to {max} ({limit} given).");
        return limit;
    }

    /// <summary>Null, or the text of one JSON object of at most <paramref name="maxLength"/> characters.</summary>
    public static string? JsonObject(string? json, string field, int maxLength = 16_384) =>
        Json(json, field, maxLength, JsonValueKind.Object, "a JSON object is required, for example {\"color\": \"#ff5733\"}.");

    /// <summary>
    /// Null, or the text of one JSON value of <paramref name="kind"/>, storable as jsonb: no string or
    /// key holds an escaped NUL (\u0000) or an escaped half of a surrogate pair, which jsonb refuses.
    /// </summary>
    public static string? Json(string? json, string field, int maxLength, JsonValueKind kind, string required)
    {
        if (Optional(json, field, maxLength) is null)
            return null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json!);
        }
        catch (JsonException)
        {
            throw new ChatDataValidationException(field, required);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != kind)
                throw new ChatDataValidationException(field, required);
            // Only an escape can spell what jsonb refuses: the raw text passed Optional.
            if (json!.Contains("\\u", StringComparison.Ordinal) && !IsStorableEscaped(document.RootElement))
                throw new ChatDataValidationException(field, "JSON strings and keys cannot hold \\u0000 or half of a surrogate pair (jsonb cannot store them).");
        }
        return json;
    }

    private static bool IsStorableEscaped(JsonElement element)
    {
        try
        {
            return IsStorable(element);
        }
        catch (InvalidOperationException)
        {
            // An escaped half of a surrogate pair: System.Text.Json cannot unescape it either.
            return false;
        }
    }

    private static bool IsStorable(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return IsStorable(element.GetString()!);
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (!IsStorable(item))
                        return false;
                }
                return true;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!IsStorable(property.Name) || !IsStorable(property.Value))
                        return false;
                }
                return true;
            default:
                return true;
        }
    }

    private static bool IsStorable(string text) => !text.Contains('\0') && !HasLoneSurrogate(text);

    /// <summary>The ids, each non-empty, at most <paramref name="max"/>, duplicates removed.</summary>
    public static Guid[] Ids(IReadOnlyCollection<Guid>? ids, string field, int max)
    {
        ArgumentNullException.ThrowIfNull(ids, field);
        if (ids.Count > max)
            throw new ChatDataValidationException(field, $"at most {max} ids per call ({ids.Count} given).");
        var i = 0;
        foreach (var id in ids)
            NotEmpty(id, $"{field}[{i++}]");
        return ids.Distinct().ToArray();
    }
}
