namespace Chat.Data.Redis.Internal;

/// <summary>Input checks run before Redis, each naming the parameter it rejects.</summary>
internal static class Check
{
    public static Guid NotEmpty(Guid id, string field)
    {
        if (id == Guid.Empty)
            throw new ChatDataValidationException(field, "an id is required (Guid.Empty given).");
        return id;
    }

    /// <summary>Rejects null, blank, over-long or NUL-holding text; returns it for chaining.</summary>
    public static string Required(string? value, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ChatDataValidationException(field, "a non-blank value is required.");
        if (value.Length > maxLength)
            throw new ChatDataValidationException(field, $"at most {maxLength} characters are allowed ({value.Length} given).");
        if (value.Contains('\0'))
            throw new ChatDataValidationException(field, "NUL characters are not allowed.");
        return value;
    }

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

    public static T NotNull<T>(T? value, string field)
        where T : class
        => value ?? throw new ChatDataValidationException(field, "a value is required (null given).");
}
