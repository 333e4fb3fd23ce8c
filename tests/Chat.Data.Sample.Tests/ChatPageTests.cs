using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chat.Data.Sample.Tests;

/// <summary>The sample's chat page in two headless Chromium windows, one per user, against the running sample.</summary>
[Collection(SampleCollection.Name)]
public sealed class ChatPageTests(SampleServer server)
{
    static ChatPageTests() =>
        // Each step waits for a live update from the other window; a loaded CI machine may be slow to deliver it.
        SetDefaultExpectTimeout(20_000);

    [Fact]
    public async Task Two_users_chat_live_unread_counts_drop_on_reading_and_the_sender_sees_receipts_typing_and_reactions()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var alice = await OpenAsync(browser);
        var bob = await OpenAsync(browser);
        await CreateUserAsync(alice, "Alice", $"alice_{suffix}");
        await CreateUserAsync(bob, "Bob", $"bob_{suffix}");

        // Alice starts a direct chat with Bob and sends twice; Bob's chat list shows it live with 2 unread.
        await alice.FillAsync("#new-chat [name=usernames]", $"bob_{suffix}");
        await alice.ClickAsync("#new-chat button");
        await Expect(alice.Locator("#chat-title")).ToHaveTextAsync("Bob");
        await SendAsync(alice, "Hi Bob!");
        await SendAsync(alice, "Lunch today?");
        var bobsChat = bob.Locator(".chat-item", new() { HasText = "Alice" });
        await Expect(bobsChat.Locator(".unread")).ToHaveTextAsync("2");
        await Expect(bobsChat.Locator(".chat-item-preview")).ToHaveTextAsync("Lunch today?");
        await Expect(alice.Locator(".message.mine .receipt")).ToHaveTextAsync([" · ✓ Sent", " · ✓ Sent"]);

        // Bob opens the chat: his unread count drops, and Alice's page shows both messages read.
        await bobsChat.ClickAsync();
        await Expect(bob.Locator(".message .text")).ToHaveTextAsync(["Hi Bob!", "Lunch today?"]);
        await Expect(bobsChat.Locator(".unread")).ToHaveCountAsync(0);
        await Expect(alice.Locator(".message.mine .receipt")).ToHaveTextAsync([" · ✓✓ Read", " · ✓✓ Read"]);
        await Expect(alice.Locator("#chat-status")).ToHaveTextAsync("online");

        // With the chat open on Bob's page, Alice's next message appears there live.
        await SendAsync(alice, "12:30 at the usual place?");
        await Expect(bob.Locator(".message .text").Last).ToHaveTextAsync("12:30 at the usual place?");

        // Bob reacts and types; Alice sees both.
        var bobsLast = bob.Locator(".message").Last;
        await bobsLast.HoverAsync();
        await bobsLast.Locator(".actions button", new() { HasText = "👍" }).ClickAsync();
        await Expect(alice.Locator(".message").Last.Locator(".reaction")).ToHaveTextAsync("👍 1");
        await bob.Locator("#text").PressSequentiallyAsync("Sounds good");
        await Expect(alice.Locator("#typing")).ToHaveTextAsync("Bob is typing…");

        // Bob sends: the typing line goes away and the message arrives.
        await bob.ClickAsync("#composer button");
        await Expect(alice.Locator(".message .text").Last).ToHaveTextAsync("Sounds good");
        await Expect(alice.Locator("#typing")).ToBeEmptyAsync();

        // A third user writes to Alice through the API: her chat list counts it as unread, live.
        var carol = await server.PostAsync<Created>("/users", new { displayName = "Carol", username = $"carol_{suffix}" });
        var aliceId = await alice.EvaluateAsync<string>("state.me.id");
        var chat = await server.PostAsync<Created>("/chats/direct", new { userId = carol.Id, otherUserId = aliceId });
        await server.PostAsync<Created>($"/chats/{chat.Id}/messages", new { senderId = carol.Id, content = "Are the slides ready?", clientMessageId = Guid.NewGuid() });
        await Expect(alice.Locator(".chat-item", new() { HasText = "Carol" }).Locator(".unread")).ToHaveTextAsync("1");

        await bob.Locator("#text").PressSequentiallyAsync("See you");
        await Expect(alice.Locator("#typing")).ToHaveTextAsync("Bob is typing…");
        await SaveScreenshotAsync(alice);
    }

    private async Task<IPage> OpenAsync(IBrowser browser)
    {
        // A context per user: separate storage, as two people on two machines.
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1100, Height = 640 }, Locale = "en-GB", TimezoneId = "UTC" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(server.Address.ToString());
        return page;
    }

    private static async Task CreateUserAsync(IPage page, string displayName, string username)
    {
        await page.FillAsync("#create-user [name=displayName]", displayName);
        await page.FillAsync("#create-user [name=username]", username);
        await page.ClickAsync("#create-user button");
        // Live: the event stream listens, so nothing published from here on is missed.
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");
    }

    private static async Task SendAsync(IPage page, string text)
    {
        await page.FillAsync("#text", text);
        await page.ClickAsync("#composer button");
        await Expect(page.Locator(".message.mine .text").Last).ToHaveTextAsync(text);
    }

    /// <summary>
    /// The README's picture of the page. Written to docs/images/sample.png when CHATDATA_UPDATE_SCREENSHOT=1
    /// (the names and times differ on every run, so a normal run leaves the committed one alone).
    /// </summary>
    private static async Task SaveScreenshotAsync(IPage page)
    {
        var path = Environment.GetEnvironmentVariable("CHATDATA_UPDATE_SCREENSHOT") == "1"
            ? Path.Combine(RepositoryRoot(), "docs", "images", "sample.png")
            : Path.Combine(AppContext.BaseDirectory, "sample.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new() { Path = path });
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Chat.Data.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No Chat.Data.sln above {AppContext.BaseDirectory}.");
    }

    private sealed record Created(Guid Id);
}
