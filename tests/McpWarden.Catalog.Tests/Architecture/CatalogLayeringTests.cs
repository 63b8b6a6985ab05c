using System.Runtime.InteropServices;
using System.Xml.Linq;
using McpWarden.Catalog.Definitions;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Catalog.Tests.Architecture;

/// <summary>The catalogue stays pure: McpWarden.Catalog may use the framework and McpWarden.Policy, nothing else (no network, no SDK, no store).</summary>
public sealed class CatalogLayeringTests
{
    [Fact]
    public void CatalogAssembly_References_OnlyTheFrameworkAndPolicy()
    {
        var references = typeof(ToolDefinition).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();
        var outsiders = references.Where(name => name != "McpWarden.Policy" && !IsFramework(name)).ToArray();
        Assert.True(outsiders.Length == 0, "McpWarden.Catalog references " + string.Join(", ", outsiders));
    }

    [Fact]
    public void CatalogProject_Declares_OnlyThePolicyProject()
    {
        var project = XDocument.Load(Path.Combine(RepositoryPaths.Root, "src", "McpWarden.Catalog", "McpWarden.Catalog.csproj"));
        var references = project.Descendants()
            .Where(e => e.Name.LocalName is "PackageReference" or "ProjectReference" or "Reference" or "FrameworkReference")
            .Select(e => (string?)e.Attribute("Include"))
            .ToArray();
        Assert.Equal(@"..\McpWarden.Policy\McpWarden.Policy.csproj", Assert.Single(references));
    }

    private static bool IsFramework(string name) =>
        File.Exists(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), name + ".dll"));
}
