namespace McpWarden.Fixture;

/// <summary>The smallest valid media the conformance scenarios ask for, base64-encoded as MCP carries it.</summary>
internal static class TestMedia
{
    /// <summary>A 1×1 red PNG.</summary>
    public const string RedPixelPng = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

    /// <summary>One millisecond of 8 kHz, 8-bit mono silence as a WAV file.</summary>
    public const string SilentWav = "UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQgAAACAgICAgICAgA==";
}
