using Chat.Data.Internal;
using Chat.Data.Messages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Chat.Data.DependencyInjection;

/// <summary>Checks the options when the host starts, with messages that say what to set.</summary>
internal sealed class ChatDataOptionsValidator(IServiceProviderIsService services) : IValidateOptions<ChatDataOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatDataOptions options)
    {
        var failures = new List<string>();
        // The data source rule: a ConnectionString means Chat.Data builds its own; without one, it shares the registered NpgsqlDataSource.
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            if (!services.IsService(typeof(NpgsqlDataSource)))
                failures.Add("ChatData: set ChatDataOptions.ConnectionString (for example \"Host=localhost;Database=chat;Username=app\") or register an NpgsqlDataSource in the container.");
            else if (options.ConfigureDataSource is not null)
                failures.Add("ChatData: ChatDataOptions.ConfigureDataSource is set without a ConnectionString, so Chat.Data shares the registered NpgsqlDataSource as it is and would never call it; configure that data source where you build it, or set ChatDataOptions.ConnectionString for a data source of Chat.Data's own.");
        }
        else
        {
            try
            {
                var connectionString = new NpgsqlConnectionStringBuilder(options.ConnectionString);
                if (options.ReadFromStandbys && !(connectionString.Host ?? "").Contains(','))
                    failures.Add("ChatData: ChatDataOptions.ReadFromStandbys needs a multi-host ConnectionString naming the primary and its standbys (for example \"Host=primary,standby1\").");
            }
            catch (ArgumentException ex)
            {
                failures.Add($"ChatData: ChatDataOptions.ConnectionString is not a valid PostgreSQL connection string: {ex.Message}");
            }
        }
        if (options.StandbyCatchUpTimeout < TimeSpan.Zero || options.StandbyCatchUpTimeout > TimeSpan.FromSeconds(10))
            failures.Add($"ChatData: ChatDataOptions.StandbyCatchUpTimeout must be 0 to 10 seconds ({options.StandbyCatchUpTimeout} given).");
        if (!SchemaName.IsValid(options.Schema))
            failures.Add($"ChatData: ChatDataOptions.Schema '{options.Schema}' must be 1 to 63 lower-case letters, digits or underscores, starting with a letter or underscore.");

        if (options.MaxGroupMembers < 2)
            failures.Add($"ChatData: ChatDataOptions.MaxGroupMembers must be 2 or more ({options.MaxGroupMembers} given).");

        if (options.MaxAttachmentsPerMessage is < 1 or > 100)
            failures.Add($"ChatData: ChatDataOptions.MaxAttachmentsPerMessage must be 1 to 100 ({options.MaxAttachmentsPerMessage} given).");
        if (options.MaxAttachmentBytes < 1)
            failures.Add($"ChatData: ChatDataOptions.MaxAttachmentBytes must be 1 or more ({options.MaxAttachmentBytes} given).");
        if (options.AllowedAttachmentMimeTypes is not { Count: > 0 } mimeTypes)
            failures.Add("ChatData: ChatDataOptions.AllowedAttachmentMimeTypes needs at least one MIME type; use \"*/*\" to allow every type.");
        else
        {
            foreach (var bad in mimeTypes.Where(t => !AttachmentRules.IsAllowedEntry(t)))
                failures.Add($"ChatData: ChatDataOptions.AllowedAttachmentMimeTypes holds '{bad ?? "null"}', which is not a MIME type (image/png), a whole type (video/*) or */*.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
