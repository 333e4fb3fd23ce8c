using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Dapper;

namespace Chat.Data.Tests.Messages;

/// <summary>Bad input is refused before the database with an error naming the field, and nothing is written.</summary>
public sealed class AttachmentValidationTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private static NewAttachment Good => Files.Image();

    public static TheoryData<string, NewAttachment, string> BadAttachments => new()
    {
        { "unknown kind", Good with { Kind = (AttachmentKind)99 }, "Kind" },
        { "no MIME type", Good with { MimeType = null! }, "MimeType" },
        { "empty MIME type", Good with { MimeType = "" }, "MimeType" },
        { "blank MIME type", Good with { MimeType = "  " }, "MimeType" },
        { "no subtype", Good with { MimeType = "image" }, "MimeType" },
        { "empty subtype", Good with { MimeType = "image/" }, "MimeType" },
        { "parameters", Good with { MimeType = "image/jpeg; q=1" }, "MimeType" },
        { "NUL in the MIME type", Good with { MimeType = "image/jpeg\0" }, "MimeType" },
        { "MIME type over 255", Good with { MimeType = "image/" + new string('x', 250) }, "MimeType" },
        // JPEG, PNG, GIF and WebP only, by default.
        { "a type not allowed", Good with { MimeType = "application/pdf" }, "MimeType" },
        { "SVG is not allowed", Good with { MimeType = "image/svg+xml" }, "MimeType" },
        { "zero bytes", Good with { SizeBytes = 0 }, "SizeBytes" },
        { "negative size", Good with { SizeBytes = -1 }, "SizeBytes" },
        // 10 MB at most, by default.
        { "over 10 MB", Good with { SizeBytes = 10 * 1024 * 1024 + 1 }, "SizeBytes" },
        { "empty file name", Good with { FileName = "" }, "FileName" },
        { "blank file name", Good with { FileName = " " }, "FileName" },
        { "file name over 255", Good with { FileName = new string('f', 256) }, "FileName" },
        { "NUL in the file name", Good with { FileName = "a\0.jpg" }, "FileName" },
        { "no storage key nor URL", Good with { StorageKey = null, Url = null }, "StorageKey" },
        { "empty storage key", Good with { StorageKey = "" }, "StorageKey" },
        { "storage key over 1,000", Good with { StorageKey = new string('k', 1001) }, "StorageKey" },
        { "blank URL", Good with { Url = " " }, "Url" },
        { "URL over 2,000", Good with { Url = new string('u', 2001) }, "Url" },
        { "thumbnail key over 1,000", Good with { ThumbnailKey = new string('k', 1001) }, "ThumbnailKey" },
        { "NUL in the thumbnail URL", Good with { ThumbnailUrl = "https://x/\0" }, "ThumbnailUrl" },
        { "negative width", Good with { Width = -1 }, "Width" },
        { "negative height", Good with { Height = -1 }, "Height" },
        { "negative duration", Good with { DurationMs = -1 }, "DurationMs" },
        { "unknown scan status", Good with { ScanStatus = (ScanStatus)9 }, "ScanStatus" },
        { "metadata an array", Good with { Metadata = "[1]" }, "Metadata" },
        { "metadata not JSON", Good with { Metadata = "{oops" }, "Metadata" },
    };

    [Theory]
    [MemberData(nameof(BadAttachments))]
    public async Task Add_refuses_a_bad_attachment_naming_it_and_its_field_and_writes_nothing(string @case, NewAttachment bad, string field)
    {
        _ = @case;
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.Member);

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => db.Attachments.AddAsync(message.Id, scene.Member, [Good, bad]));

        Assert.Equal($"attachments[1].{field}", error.Field);
        Assert.Equal(0, roundTrips.Count);
        await using var connection = await db.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM chat.message_attachments WHERE message_id = @Id", new { message.Id }));
    }

    [Fact]
    public async Task The_limits_themselves_and_any_case_of_an_allowed_type_are_accepted()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.Member);

        var added = await db.Attachments.AddAsync(message.Id, scene.Member,
        [
            Good with { MimeType = "Image/GIF", SizeBytes = 10 * 1024 * 1024, FileName = new string('f', 255), StorageKey = null, Url = new string('u', 2000) },
            Good with { MimeType = "image/webp", SizeBytes = 1, StorageKey = new string('k', 1000), ThumbnailUrl = new string('t', 2000) },
        ]);

        Assert.Equal(new[] { "image/gif", "image/webp" }, added.Select(a => a.MimeType));
    }

    public static TheoryData<string, Func<IAttachmentRepository, Task>, string> BadCalls
    {
        get
        {
            var id = Guid.CreateVersion7();
            Guid[] tooMany = Enumerable.Range(0, 201).Select(_ => Guid.CreateVersion7()).ToArray();
            return new()
            {
                { "add: empty message id", r => r.AddAsync(Guid.Empty, id, [Good]), "messageId" },
                { "add: empty user id", r => r.AddAsync(id, Guid.Empty, [Good]), "userId" },
                { "add: a null attachment", r => r.AddAsync(id, id, [null!]), "attachments[0]" },
                { "find: empty id", r => r.FindByIdAsync(Guid.Empty, id), "attachmentId" },
                { "find: empty viewer id", r => r.FindByIdAsync(id, Guid.Empty), "viewerId" },
                { "list: empty message id", r => r.ListAsync(Guid.Empty, id), "messageId" },
                { "list: empty viewer id", r => r.ListAsync(id, Guid.Empty), "viewerId" },
                { "list for messages: empty viewer id", r => r.ListForMessagesAsync([id], Guid.Empty), "viewerId" },
                { "list for messages: an empty id", r => r.ListForMessagesUncheckedAsync([id, Guid.Empty]), "messageIds[1]" },
                { "list for messages: over 200", r => r.ListForMessagesUncheckedAsync(tooMany), "messageIds" },
                { "gallery: empty chat id", r => r.GetGalleryAsync(Guid.Empty, id), "chatId" },
                { "gallery: empty viewer id", r => r.GetGalleryAsync(id, Guid.Empty), "viewerId" },
                { "gallery: unknown kind", r => r.GetGalleryAsync(id, id, [AttachmentKind.Image, (AttachmentKind)42]), "kinds[1]" },
                { "gallery: limit 0", r => r.GetGalleryAsync(id, id, limit: 0), "limit" },
                { "gallery: limit 201", r => r.GetGalleryAsync(id, id, limit: 201), "limit" },
                { "gallery: not a cursor", r => r.GetGalleryAsync(id, id, cursor: "%%"), "cursor" },
                { "gallery: a cursor of three parts", r => r.GetGalleryAsync(id, id, cursor: "MXwyfDM"), "cursor" },
                { "scan status: empty id", r => r.SetScanStatusAsync(Guid.Empty, ScanStatus.Clean), "attachmentId" },
                { "scan status: unknown status", r => r.SetScanStatusAsync(id, (ScanStatus)7), "status" },
                { "pending scans: limit 0", r => r.ListPendingScansAsync(limit: 0), "limit" },
                { "pending scans: not a cursor", r => r.ListPendingScansAsync(cursor: "x"), "cursor" },
            };
        }
    }

    [Theory]
    [MemberData(nameof(BadCalls))]
    public async Task Bad_ids_kinds_statuses_limits_and_cursors_are_refused_naming_the_field_without_a_round_trip(string @case, Func<IAttachmentRepository, Task> call, string field)
    {
        _ = @case;
        using var roundTrips = new RoundTripCounter(db.Database.Name);

        var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => call(db.Attachments));

        Assert.Equal(field, error.Field);
        Assert.Equal(0, roundTrips.Count);
    }

    [Fact]
    public async Task Null_lists_are_argument_errors()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => db.Attachments.AddAsync(Guid.CreateVersion7(), Guid.CreateVersion7(), null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => db.Attachments.ListForMessagesUncheckedAsync(null!));
    }

    [Fact]
    public async Task The_schema_refuses_a_negative_size_and_an_attachment_with_nowhere_to_find_it()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.Member);
        await using var connection = await db.OpenAsync();
        const string insert = "INSERT INTO chat.message_attachments (id, message_id, chat_id, kind, size_bytes, storage_key) VALUES (gen_random_uuid(), @Id, @ChatId, 'image', @size, @key)";

        var negative = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => connection.ExecuteAsync(insert, new { message.Id, message.ChatId, size = -1L, key = "k" }));
        var nowhere = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => connection.ExecuteAsync(insert, new { message.Id, message.ChatId, size = 1L, key = (string?)null }));

        Assert.Equal("message_attachments_size_bytes_check", negative.ConstraintName);
        Assert.Equal("message_attachments_location_check", nowhere.ConstraintName);
    }
}
