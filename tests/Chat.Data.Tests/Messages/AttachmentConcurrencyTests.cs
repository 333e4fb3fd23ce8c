using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Dapper;

namespace Chat.Data.Tests.Messages;

/// <summary>Real parallel calls, each on its own pooled connection, against one message.</summary>
public sealed class AttachmentConcurrencyTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private async Task<int[]> SortOrdersAsync(Guid messageId)
    {
        await using var connection = await db.OpenAsync();
        return (await connection.QueryAsync<int>("SELECT sort_order FROM chat.message_attachments WHERE message_id = @messageId ORDER BY sort_order", new { messageId })).ToArray();
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 4)]
    public async Task Twenty_concurrent_adds_never_take_a_message_past_five_attachments(int filesPerCall, int expected)
    {
        var scene = await MessageScene.CreateAsync(db);
        for (var round = 0; round < 5; round++)
        {
            var message = await scene.SendAsync(scene.Member);

            var calls = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
            {
                try
                {
                    return (await db.Attachments.AddAsync(message.Id, scene.Member, Enumerable.Range(0, filesPerCall).Select(_ => Files.Image()).ToArray())).Count;
                }
                catch (AttachmentLimitException)
                {
                    return 0;
                }
            })).ToList();
            var added = await Task.WhenAll(calls);

            Assert.Equal(expected, added.Sum());
            Assert.Equal(expected / filesPerCall, added.Count(n => n > 0));
            Assert.Equal(Enumerable.Range(0, expected), await SortOrdersAsync(message.Id));
        }
    }

    [Fact]
    public async Task An_add_racing_a_delete_for_everyone_either_lands_first_and_is_handed_back_or_is_refused()
    {
        var scene = await MessageScene.CreateAsync(db);
        for (var round = 0; round < 10; round++)
        {
            var message = await scene.SendAsync(scene.Member);
            var file = Files.Image();

            var add = Task.Run(async () =>
            {
                try
                {
                    return await db.Attachments.AddAsync(message.Id, scene.Member, [file]);
                }
                catch (NotPermittedException)
                {
                    return null;
                }
            });
            var delete = Task.Run(() => db.Messages.DeleteForEveryoneAsync(message.Id, scene.Member));
            var added = await add;
            var deleted = await delete;

            // Never an attachment left on a deleted message, nor a storage key lost.
            Assert.Empty(await SortOrdersAsync(message.Id));
            var handedBack = added is null ? [] : new[] { file.StorageKey!, file.ThumbnailKey! };
            Assert.Equal(handedBack.Order(), deleted!.StorageKeys.Order());
        }
    }
}
