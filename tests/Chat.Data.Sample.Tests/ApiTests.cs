using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Chat.Data.Sample.Tests;

/// <summary>The sample's JSON API: its OpenAPI document and reference page, and sends.</summary>
[Collection(SampleCollection.Name)]
public sealed class ApiTests(SampleServer server)
{
    [Fact]
    public async Task The_openapi_document_has_an_area_for_everything_a_chat_client_needs_and_the_reference_page_is_served()
    {
        using var document = JsonDocument.Parse(await server.Http.GetStringAsync("/openapi/v1.json"));
        var tags = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject())
            .SelectMany(operation => operation.Value.TryGetProperty("tags", out var t) ? t.EnumerateArray().Select(tag => tag.GetString()) : [])
            .ToHashSet();
        Assert.Superset(
            new HashSet<string?> { "Users", "Contacts", "Blocks", "Message requests", "Chats", "Messages", "Reactions", "Attachments", "Read state", "Live", "OTP" },
            tags);

        using var page = await server.Http.GetAsync("/scalar/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("openapi/v1.json", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_send_retried_with_the_same_client_message_id_returns_the_first_message()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var alice = await server.PostAsync<Created>("/users", new { displayName = "Alice", username = $"alice_{suffix}" });
        var bob = await server.PostAsync<Created>("/users", new { displayName = "Bob", username = $"bob_{suffix}" });
        var chat = await server.PostAsync<Created>("/chats/direct", new { userId = alice.Id, otherUserId = bob.Id });

        var send = new { senderId = alice.Id, content = "Only once", clientMessageId = $"retry-{suffix}" };
        var first = await server.PostAsync<Sent>($"/chats/{chat.Id}/messages", send);
        var retry = await server.PostAsync<Sent>($"/chats/{chat.Id}/messages", send);

        Assert.Equal(first, retry);
        var history = await server.Http.GetFromJsonAsync<JsonElement>($"/chats/{chat.Id}/messages?viewerId={bob.Id}");
        Assert.Equal(1, history.GetProperty("messages").GetArrayLength());
    }

    private sealed record Created(Guid Id);

    private sealed record Sent(Guid Id, long Seq);
}
