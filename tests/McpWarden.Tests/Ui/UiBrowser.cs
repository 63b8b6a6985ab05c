using Microsoft.Playwright;
using Xunit;

namespace McpWarden.Tests.Ui;

/// <summary>The browser tests share one Chromium and run one at a time (they start real gateways too).</summary>
[CollectionDefinition("ui")]
public sealed class BrowserTestGroup : ICollectionFixture<UiBrowser>;

/// <summary>
/// One headless Chromium for the whole run: the system's own (<c>/usr/bin/chromium</c>, which the test command
/// installs when it is missing, or <c>MCPWARDEN_CHROMIUM</c>), driven through Playwright; nothing is downloaded.
/// Each test gets a fresh browser context (its own cookies) through <see cref="NewPageAsync"/>.
/// </summary>
public sealed class UiBrowser : IAsyncLifetime
{
    public static string ChromiumPath => Environment.GetEnvironmentVariable("MCPWARDEN_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"the browser tests need Chromium at {ChromiumPath}: run scripts/test.sh (it installs Debian's chromium) or set MCPWARDEN_CHROMIUM");
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true });
    }

    /// <summary>A page in a new context whose relative URLs resolve against the gateway; phone width when asked.</summary>
    public async Task<UiPage> NewPageAsync(Uri baseUrl, bool phone = false)
    {
        var context = await _browser!.NewContextAsync(new()
        {
            BaseURL = baseUrl.ToString(),
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 900 },
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        return new UiPage(context, page);
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>
/// A browser page with what went wrong inside it: console errors, uncaught exceptions and Content-Security-Policy
/// violations are collected, so a test can assert the UI ran cleanly.
/// </summary>
public sealed class UiPage : IAsyncDisposable
{
    private readonly List<string> _errors = [];

    internal UiPage(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_errors)
                {
                    _errors.Add("console: " + message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_errors)
            {
                _errors.Add("uncaught: " + error);
            }
        };
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>Console errors (CSP violations among them) and uncaught exceptions so far.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>Logs in through the login form with the admin token and waits for the app shell.</summary>
    public async Task LoginAsync(string token)
    {
        await Page.GotoAsync("/ui/login");
        await Page.GetByLabel("Admin token").FillAsync(token);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" })).ToBeVisibleAsync();
    }

    /// <summary>Fails with what the page reported when any error or CSP violation happened in it.</summary>
    public void AssertNoErrors()
    {
        var errors = Errors;
        Assert.True(errors.Count == 0, "the page reported errors:\n" + string.Join('\n', errors));
    }

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();
}
