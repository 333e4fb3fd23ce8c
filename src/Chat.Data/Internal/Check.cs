namespace Chat.Data.Internal;

/// <summary>Input checks run before the database, each naming the field it rejects.</summary>
internal static class Check
{
    public static void NotEmpty(Guid id, string field)
    {
        if (id == Guid.Empty)
            throw new ChatDataValidationException(field, "an id is required (Guid.Empty given).");
    }

    /// <summary>Rejects null, blank, over-long or NUL-holding text; returns it for chaining.</summary>
    public static string Required(string? value, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ChatDataValidationException(field, "a non-blank value is required.");
        return Optional(value, field, maxLength)!;
    }

    /// <summary>Like <see cref="Required"/> but null is allowed.</summary>
    public static string? Optional(string? value, string field, int maxLength)
    {
        if (value is null)
            return null;
        if (value.Length > maxLength)
            throw new ChatDataValidationException(field, $"at most {maxLength} characters are allowed ({value.Length} given).");
        if (value.Contains('\0'))
            throw new ChatDataValidationException(field, "NUL characters cannot be stored.");
        return value;
    }

    /// <summary>A page size from 1 to <paramref name="max"/>.</summary>
    public static int Limit(int limit, int max = 200)
    {
        if (limit < 1 || limit > max)
            throw new ChatDataValidationException("limit", $"use 1 to {max} ({limit} given).");
        return limit;
    }

    /// <summary>Null, or the text of one JSON object of at most <paramref name="maxLength"/> characters.</summary>
    public static string? JsonObject(string? json, string field, int maxLength = 16_384)
    {
        if (Optional(json, field, maxLength) is null)
            return null;
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json!);
            if (document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object)
                return json;
        }
        catch (System.Text.Json.JsonException)
        {
        }
        throw new ChatDataValidationException(field, "a JSON object is required, for example {\"color\": \"#ff5733\"}.");
    }

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
