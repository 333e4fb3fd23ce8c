using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Dapper;

namespace Chat.Data.Tests.Messages;

public sealed class AttachmentRepositoryTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private IAttachmentRepository Attachments => db.Attachments;

    private async Task<long> CountAsync(Guid messageId)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM chat.message_attachments WHERE message_id = @messageId", new { messageId });
    }

    [Fact]
    public async Task Add_stores_every_field_and_returns_the_attachments_in_the_order_given()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await db.Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, SenderId = scene.Member, Type = MessageType.Image, Content = "scans" });
        var scan = new NewAttachment
        {
            Kind = AttachmentKind.Image,
            MimeType = "IMAGE/PNG",
            SizeBytes = 10 * 1024 * 1024,
            FileName = "scan.png",
            StorageKey = "chat/1/scan.png",
            Url = "https://cdn.example/scan.png",
            ThumbnailKey = "chat/1/scan_thumb.png",
            ThumbnailUrl = "https://cdn.example/scan_thumb.png",
            Width = 0,
            Height = 4000,
            DurationMs = 0,
            ScanStatus = ScanStatus.Clean,
            Metadata = """{"blurhash": "LEHV6nWB2yk8"}""",
        };

        var added = await Attachments.AddAsync(message.Id, scene.Member, [Files.Image("first.jpg"), scan]);

        Assert.Equal(2, added.Count);
        Assert.Equal("first.jpg", added[0].StorageKey);
        var png = added[1];
        Assert.Equal((message.Id, scene.ChatId, AttachmentKind.Image, "image/png", 10L * 1024 * 1024), (png.MessageId, png.ChatId, png.Kind, png.MimeType, png.SizeBytes));
        Assert.Equal(("scan.png", "chat/1/scan.png", "https://cdn.example/scan.png", "chat/1/scan_thumb.png", "https://cdn.example/scan_thumb.png"),
            (png.FileName, png.StorageKey, png.Url, png.ThumbnailKey, png.ThumbnailUrl));
        Assert.Equal((0, 4000, 0, ScanStatus.Clean), (png.Width, png.Height, png.DurationMs, png.ScanStatus));
        Assert.Equal("""{"blurhash": "LEHV6nWB2yk8"}""", png.Metadata);
        Assert.Equal(new[] { 0, 1 }, added.Select(a => a.SortOrder));
        Assert.Equal(ScanStatus.Pending, added[0].ScanStatus);
        Assert.Equal(7, added[0].Id.Version);
        Assert.Equal(added, await Attachments.ListUncheckedAsync(message.Id));
        Assert.Equal(png, await Attachments.FindByIdUncheckedAsync(png.Id));
    }

    [Fact]
    public async Task Later_adds_go_after_the_attachments_a_message_has_and_adding_none_is_free()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.Member);
        await Attachments.AddAsync(message.Id, scene.Member, [Files.Image(), Files.Image()]);

        var more = await Attachments.AddAsync(message.Id, scene.Member, [Files.Image()]);
        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var none = await Attachments.AddAsync(message.Id, scene.Member, []);

        Assert.Equal(2, Assert.Single(more).SortOrder);
        Assert.Empty(none);
        Assert.Equal(0, roundTrips.Count);
        Assert.Equal(new[] { 0, 1, 2 }, (await Attachments.ListUncheckedAsync(message.Id)).Select(a => a.SortOrder));
    }

    [Fact]
    public async Task Adding_is_one_round_trip_however_many_files()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.Member);

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        await Attachments.AddAsync(message.Id, scene.Member, Enumerable.Range(0, 5).Select(_ => Files.Image()).ToArray());

        Assert.Equal(1, roundTrips.Count);
    }

    [Fact]
    public async Task Only_the_sender_adds_attachments_while_a_member_and_never_to_a_message_deleted_for_everyone()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.Member);
        var deleted = await scene.SendAsync(scene.Member);
        await db.Messages.DeleteForEveryoneAsync(deleted.Id, scene.Member);
        var stranger = await scene.StrangerAsync();

        var notSender = await Assert.ThrowsAsync<NotPermittedException>(() => Attachments.AddAsync(message.Id, scene.OwnerId, [Files.Image()]));
        var notMember = await Assert.ThrowsAsync<NotAMemberException>(() => Attachments.AddAsync(message.Id, stranger, [Files.Image()]));
        await Assert.ThrowsAsync<NotPermittedException>(() => Attachments.AddAsync(deleted.Id, scene.Member, [Files.Image()]));
        await scene.LeaveAsync(scene.Member);
        var left = await Assert.ThrowsAsync<NotAMemberException>(() => Attachments.AddAsync(message.Id, scene.Member, [Files.Image()]));

        Assert.Contains("sender", notSender.Message);
        Assert.Equal((scene.ChatId, stranger), (notMember.ChatId, notMember.UserId));
        Assert.Equal((scene.ChatId, scene.Member), (left.ChatId, left.UserId));
        Assert.Equal(0, await CountAsync(message.Id));
        Assert.Equal(0, await CountAsync(deleted.Id));
    }

    [Fact]
    public async Task A_system_message_takes_no_attachments_and_a_missing_message_is_named()
    {
        var scene = await MessageScene.CreateAsync(db);
        var notice = await db.Messages.SendAsync(new NewMessage { ChatId = scene.ChatId, Type = MessageType.System, Content = "joined" });

        await Assert.ThrowsAsync<NotPermittedException>(() => Attachments.AddAsync(notice.Id, scene.OwnerId, [Files.Image()]));
        var missing = await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Attachments.AddAsync(Guid.CreateVersion7(), scene.OwnerId, [Files.Image()]));

        Assert.Equal("messageId", missing.Field);
        Assert.Equal(0, await CountAsync(notice.Id));
    }

    // MaxAttachmentsPerMessage defaults to 5.
    [Fact]
    public async Task A_message_takes_at_most_five_attachments_counting_the_ones_it_has()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.Member);
        var other = await scene.SendAsync(scene.Member);
        await Attachments.AddAsync(message.Id, scene.Member, [Files.Image(), Files.Image(), Files.Image()]);

        var over = await Assert.ThrowsAsync<AttachmentLimitException>(() => Attachments.AddAsync(message.Id, scene.Member, [Files.Image(), Files.Image(), Files.Image()]));
        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            await Assert.ThrowsAsync<AttachmentLimitException>(() => Attachments.AddAsync(other.Id, scene.Member, Enumerable.Range(0, 6).Select(_ => Files.Image()).ToArray()));
            Assert.Equal(0, roundTrips.Count);
        }
        await Attachments.AddAsync(message.Id, scene.Member, [Files.Image(), Files.Image()]);
        await Assert.ThrowsAsync<AttachmentLimitException>(() => Attachments.AddAsync(message.Id, scene.Member, [Files.Image()]));

        Assert.Equal((message.Id, 5), (over.MessageId, over.Limit));
        Assert.Equal(5, await CountAsync(message.Id));
        Assert.Equal(0, await CountAsync(other.Id));
    }

    [Fact]
    public async Task Delete_for_everyone_removes_the_attachments_and_returns_their_storage_and_thumbnail_keys()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.Member);
        var added = await Attachments.AddAsync(message.Id, scene.Member, [Files.Image(), Files.Image() with { ThumbnailKey = null }]);

        var deleted = await db.Messages.DeleteForEveryoneAsync(message.Id, scene.Member);

        var keys = added.SelectMany(a => new[] { a.StorageKey, a.ThumbnailKey }).OfType<string>().Order();
        Assert.Equal(keys, deleted!.StorageKeys.Order());
        Assert.Equal(3, deleted.StorageKeys.Count);
        Assert.Empty(await Attachments.ListUncheckedAsync(message.Id));
    }

    [Fact]
    public async Task Listing_for_many_messages_is_one_query_keyed_by_message_in_each_ones_order()
    {
        var scene = await MessageScene.CreateAsync(db);
        var messages = await scene.SendManyAsync(scene.Member, 40);
        foreach (var (message, i) in messages.Select((m, i) => (m, i)))
            await Attachments.AddAsync(message.Id, scene.Member, Enumerable.Range(0, i % 4).Select(_ => Files.Image()).ToArray());

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var lookup = await Attachments.ListForMessagesUncheckedAsync(messages.Select(m => m.Id).Append(Guid.CreateVersion7()).ToArray());

        Assert.Equal(1, roundTrips.Count);
        foreach (var (message, i) in messages.Select((m, i) => (m, i)))
        {
            Assert.Equal(Enumerable.Range(0, i % 4), lookup[message.Id].Select(a => a.SortOrder));
            Assert.All(lookup[message.Id], a => Assert.Equal(message.Id, a.MessageId));
        }
        Assert.Empty(await Attachments.ListUncheckedAsync(Guid.CreateVersion7()));
        Assert.Empty(await Attachments.ListForMessagesUncheckedAsync([]));
        Assert.Null(await Attachments.FindByIdUncheckedAsync(Guid.CreateVersion7()));
    }

    // Hosts scan each attachment for malware and serve it only once it is clean.
    [Fact]
    public async Task Scan_status_is_set_and_read_back_and_a_missing_attachment_gives_null()
    {
        var scene = await MessageScene.CreateAsync(db);
        var message = await scene.SendAsync(scene.Member);
        var added = (await Attachments.AddAsync(message.Id, scene.Member, [Files.Image()]))[0];

        foreach (var status in new[] { ScanStatus.Infected, ScanStatus.Error, ScanStatus.Clean, ScanStatus.Pending })
        {
            var updated = await Attachments.SetScanStatusAsync(added.Id, status);
            Assert.Equal(added with { ScanStatus = status }, updated);
        }
        Assert.Null(await Attachments.SetScanStatusAsync(Guid.CreateVersion7(), ScanStatus.Clean));
    }

    // Attachments cascade with their message and chat.
    [Fact]
    public async Task Deleting_the_message_or_the_chat_deletes_its_attachments_and_deleting_the_sender_keeps_them()
    {
        var scene = await MessageScene.CreateAsync(db);
        var purged = await scene.SendAsync(scene.Member);
        var kept = await scene.SendAsync(scene.Member);
        await Attachments.AddAsync(purged.Id, scene.Member, [Files.Image()]);
        await Attachments.AddAsync(kept.Id, scene.Member, [Files.Image()]);
        await using var connection = await db.OpenAsync();

        await connection.ExecuteAsync("DELETE FROM chat.messages WHERE id = @Id", new { purged.Id });
        Assert.Equal(0, await CountAsync(purged.Id));
        await connection.ExecuteAsync("DELETE FROM chat.users WHERE id = @Member", new { scene.Member });
        Assert.Equal(1, await CountAsync(kept.Id));
        await connection.ExecuteAsync("DELETE FROM chat.chats WHERE id = @ChatId", new { scene.ChatId });
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM chat.message_attachments WHERE chat_id = @ChatId", new { scene.ChatId }));
    }
}
