using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Chat.Data.Internal;

namespace Chat.Data.Users;

/// <summary>The users table's rules, checked before the database (the table's CHECK constraints hold the same ones).</summary>
internal static partial class UserFields
{
    public const int MaxPhonesPerLookup = 10_000;

    public const int MaxLastSeenPerBatch = 10_000;

    private const string PhoneRule = "an E.164 phone number is required: '+' then 7 to 15 digits, for example +6281234567890.";

    public static string Phone(string? phone, string field) =>
        IsPhone(phone) ? phone : throw new ChatDataValidationException(field, PhoneRule);

    /// <summary>An address book's phones, each E.164 (named <c>phones[i]</c> when not), at most <see cref="MaxPhonesPerLookup"/>.</summary>
    public static string[] Phones(IReadOnlyCollection<string> phones, string field)
    {
        ArgumentNullException.ThrowIfNull(phones, field);
        if (phones.Count > MaxPhonesPerLookup)
            throw new ChatDataValidationException(field, $"at most {MaxPhonesPerLookup} phones per call ({phones.Count} given).");
        var checkedPhones = new string[phones.Count];
        var i = 0;
        foreach (var phone in phones)
        {
            // The field's name is built only for a bad phone: an address book holds thousands of good ones.
            checkedPhones[i] = IsPhone(phone) ? phone : throw new ChatDataValidationException($"{field}[{i}]", PhoneRule);
            i++;
        }
        return checkedPhones;
    }

    private static bool IsPhone([NotNullWhen(true)] string? phone) => phone is not null && PhonePattern().IsMatch(phone);

    public static string Username(string? username, string field)
    {
        if (username is null || !UsernamePattern().IsMatch(username))
            throw new ChatDataValidationException(field, "3 to 50 letters, digits or underscores are required.");
        return username;
    }

    public static string ExternalId(string? externalId, string field) => Check.Required(externalId, field, 200);

    public static string DisplayName(string? displayName, string field) => Check.Required(displayName, field, 100);

    public static string? PasswordHash(string? hash, string field) => hash is null ? null : Check.Required(hash, field, 255);

    public static string? Avatar(string? avatar, string field) => Check.Optional(avatar, field, 500);

    public static string? About(string? about, string field) => Check.Optional(about, field, 200);

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}\z")]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"^[a-zA-Z0-9_]{3,50}\z")]
    private static partial Regex UsernamePattern();
}
