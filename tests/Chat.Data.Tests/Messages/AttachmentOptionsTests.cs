using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Chat.Data.Tests.Messages;

/// <summary>The attachment limits come from <see cref="ChatDataOptions"/>, checked when the host starts.</summary>
public sealed class AttachmentOptionsTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public void The_defaults_are_five_images_of_at_most_10_MB_and_several_reactions_per_user()
    {
        var options = new ChatDataOptions();

        Assert.Equal(5, options.MaxAttachmentsPerMessage);
        Assert.Equal(10_485_760, options.MaxAttachmentBytes);
        Assert.Equal(new[] { "image/jpeg", "image/png", "image/gif", "image/webp" }, options.AllowedAttachmentMimeTypes);
        Assert.False(options.OneReactionPerUser);
    }

    public static TheoryData<string, Action<ChatDataOptions>, string> BadOptions => new()
    {
        { "no attachments per message", o => o.MaxAttachmentsPerMessage = 0, "MaxAttachmentsPerMessage" },
        { "over 100 attachments per message", o => o.MaxAttachmentsPerMessage = 101, "MaxAttachmentsPerMessage" },
        { "zero bytes", o => o.MaxAttachmentBytes = 0, "MaxAttachmentBytes" },
        { "no MIME types", o => o.AllowedAttachmentMimeTypes = [], "AllowedAttachmentMimeTypes" },
        { "null MIME types", o => o.AllowedAttachmentMimeTypes = null!, "AllowedAttachmentMimeTypes" },
        { "a null MIME type", o => o.AllowedAttachmentMimeTypes = ["image/png", null!], "AllowedAttachmentMimeTypes" },
        { "a type without subtype", o => o.AllowedAttachmentMimeTypes = ["image"], "AllowedAttachmentMimeTypes" },
        { "a wildcard type", o => o.AllowedAttachmentMimeTypes = ["*/png"], "AllowedAttachmentMimeTypes" },
        { "parameters", o => o.AllowedAttachmentMimeTypes = ["text/plain; charset=utf-8"], "AllowedAttachmentMimeTypes" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task Bad_attachment_options_fail_validation_naming_the_option(string @case, Action<ChatDataOptions> configure, string option)
    {
        _ = @case;
        await using var services = ServicesWithOptions.Build(db, configure);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ChatDataOptions>>().Value);

        Assert.Contains($"ChatDataOptions.{option}", error.Message);
    }

    [Fact]
    public async Task Whole_types_exact_types_in_any_case_and_the_limits_are_the_hosts()
    {
        await using var services = ServicesWithOptions.Build(db, o =>
        {
            o.AllowedAttachmentMimeTypes = ["video/*", "AUDIO/OGG"];
            o.MaxAttachmentsPerMessage = 2;
            o.MaxAttachmentBytes = 100;
        });
        var attachments = services.GetRequiredService<IAttachmentRepository>();
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.Member);
        NewAttachment Of(string mimeType, long size = 100) => Files.Image() with { MimeType = mimeType, SizeBytes = size };

        var added = await attachments.AddAsync(message.Id, scene.Member, [Of("video/mp4"), Of("audio/ogg")]);

        Assert.Equal(new[] { "video/mp4", "audio/ogg" }, added.Select(a => a.MimeType));
        Assert.Equal("attachments[0].MimeType", (await Assert.ThrowsAsync<ChatDataValidationException>(() => attachments.AddAsync(message.Id, scene.Member, [Of("image/jpeg")]))).Field);
        Assert.Equal("attachments[0].MimeType", (await Assert.ThrowsAsync<ChatDataValidationException>(() => attachments.AddAsync(message.Id, scene.Member, [Of("audio/mpeg")]))).Field);
        Assert.Equal("attachments[0].SizeBytes", (await Assert.ThrowsAsync<ChatDataValidationException>(() => attachments.AddAsync(message.Id, scene.Member, [Of("video/webm", 101)]))).Field);
        Assert.Equal(2, (await Assert.ThrowsAsync<AttachmentLimitException>(() => attachments.AddAsync(message.Id, scene.Member, [Of("video/webm")]))).Limit);
    }

    [Fact]
    public async Task Star_slash_star_allows_every_type()
    {
        await using var services = ServicesWithOptions.Build(db, o => o.AllowedAttachmentMimeTypes = ["*/*"]);
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.Member);

        var added = await services.GetRequiredService<IAttachmentRepository>().AddAsync(message.Id, scene.Member,
            [Files.Of(AttachmentKind.File, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), Files.Of(AttachmentKind.Voice, "audio/webm")]);

        Assert.Equal(2, added.Count);
    }
}
