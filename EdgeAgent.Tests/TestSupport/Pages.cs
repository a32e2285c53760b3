using System.Text.Json;
using Microsoft.Playwright;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>What the browser tests share: Debian's Chromium, screenshots kept in TestResults/screenshots, and axe-core.</summary>
public static class Pages
{
    public static string ScreenshotDirectory => Path.Combine(TestAssets.RepoRoot, "TestResults", "screenshots");

    /// <summary>Debian's chromium (scripts/test.sh installs it).</summary>
    public static string Chromium => File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium"
        : throw new InvalidOperationException("Debian's chromium is required at /usr/bin/chromium (scripts/test.sh installs it: apt-get install chromium)");

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-dev-shm-usage"],
    });

    // Kept in TestResults/screenshots and attached to the test's result (the .trx lists it), described in docs/web.md.
    public static async Task ShotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        string path = Path.Combine(ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, $"screenshot of {page.Url}");
    }

    /// <summary>
    /// axe-core's serious and critical violations on the page as it is now (every violation is written to the test's
    /// output). axe is injected as an inline script, so the page's context must bypass the content security policy.
    /// </summary>
    public static async Task<List<string>> SeriousViolationsAsync(IPage page, string label)
    {
        string axe = Path.Combine(TestAssets.RepoRoot, ".test-assets", "node_modules", "axe-core", "axe.min.js");
        Assert.That(File.Exists(axe), Is.True, $"axe-core (npm) at {axe}; scripts/test.sh installs it");
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = axe });
        var violations = await page.EvaluateAsync<JsonElement>("""
            async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
                .map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, target: v.nodes[0]?.target?.join(' ') }))
            """);
        var serious = new List<string>();
        foreach (JsonElement v in violations.EnumerateArray())
        {
            string line = $"{label}: {v.GetProperty("impact")} {v.GetProperty("id")} — {v.GetProperty("help")} ({v.GetProperty("nodes")} node(s), e.g. {v.GetProperty("target")})";
            TestContext.Out.WriteLine(line);
            if (v.GetProperty("impact").GetString() is "serious" or "critical") serious.Add(line);
        }
        return serious;
    }
}
