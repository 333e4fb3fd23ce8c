using System.Net;
using System.Text.Json;

namespace Chat.Data.Sample.Tests;

/// <summary>The sample's OpenAPI document and its reference page.</summary>
[Collection(SampleCollection.Name)]
public sealed class ApiDocumentTests(SampleServer server)
{
    [Fact]
    public async Task The_openapi_document_has_an_area_for_everything_a_chat_client_needs_and_the_reference_page_is_served()
    {
        using var http = new HttpClient { BaseAddress = server.Address };

        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        var tags = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject())
            .SelectMany(operation => operation.Value.TryGetProperty("tags", out var t) ? t.EnumerateArray().Select(tag => tag.GetString()) : [])
            .ToHashSet();
        Assert.Superset(
            new HashSet<string?> { "Users", "Contacts", "Blocks", "Message requests", "Chats", "Messages", "Reactions", "Attachments", "Read state", "Live", "OTP" },
            tags);

        using var page = await http.GetAsync("/scalar/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("openapi/v1.json", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
