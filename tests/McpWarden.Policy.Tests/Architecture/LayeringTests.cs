using System.Xml.Linq;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Policy.Tests.Architecture;

/// <summary>The pure core stays pure: McpWarden.Policy may use the BCL and System.Text.Json, nothing else.</summary>
public sealed class LayeringTests
{
    [Fact]
    public void PolicyAssembly_References_OnlyTheBclAndSystemTextJson()
    {
        var references = typeof(PolicyLoader).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();
        var outsiders = references.Where(name => !IsFramework(name)).ToArray();
        Assert.True(outsiders.Length == 0, "McpWarden.Policy references " + string.Join(", ", outsiders));
    }

    [Fact]
    public void PolicyProject_Declares_NoPackageOrProjectReference()
    {
        var project = XDocument.Load(Path.Combine(RepositoryPaths.Root, "src", "McpWarden.Policy", "McpWarden.Policy.csproj"));
        var references = project.Descendants()
            .Where(e => e.Name.LocalName is "PackageReference" or "ProjectReference" or "Reference" or "FrameworkReference")
            .Select(e => (string?)e.Attribute("Include"))
            .ToArray();
        Assert.Empty(references);
    }

    private static bool IsFramework(string name) =>
        name is "System" or "netstandard" or "mscorlib" || name.StartsWith("System.", StringComparison.Ordinal);

    [Fact]
    public void IsFramework_RejectsTheAdaptersThatMustStayOut()
    {
        // Guards the guard: the names the core must never reference are not mistaken for framework ones.
        Assert.False(IsFramework("ModelContextProtocol.Core"));
        Assert.False(IsFramework("Microsoft.Data.Sqlite"));
        Assert.False(IsFramework("StackExchange.Redis"));
        Assert.False(IsFramework("McpWarden.Gateway"));
        Assert.True(IsFramework(typeof(System.Text.Json.JsonDocument).Assembly.GetName().Name!));
    }
}
