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
}
