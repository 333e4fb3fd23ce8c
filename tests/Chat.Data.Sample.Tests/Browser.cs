using Microsoft.Playwright;

namespace Chat.Data.Sample.Tests;

/// <summary>
/// Debian's Chromium (<c>apt-get install chromium</c>; <c>./build.sh test</c> installs it), driven by
/// Playwright without its own browser download. <c>CHATDATA_CHROMIUM</c> names another executable.
/// </summary>
internal static class Browser
{
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("CHATDATA_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"No Chromium at {ExecutablePath}: run `apt-get install -y chromium` (./build.sh test does it as root), or set CHATDATA_CHROMIUM.");
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            Headless = true,
            ExecutablePath = ExecutablePath,
            // No sandbox (CI runs as root); nothing that reaches out to the network or needs a GPU.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }
}
