using System.Runtime.InteropServices;
using System.Xml.Linq;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Policy.Tests.Architecture;

/// <summary>The pure core stays pure: McpWarden.Policy may use the BCL and System.Text.Json, nothing else.</summary>
public sealed class LayeringTests
{
    [Fact]
    public void PolicyAssembly_References_OnlyTheSharedFramework()
    {
        // System.Text.Json ships in the shared framework, so "the BCL and System.Text.Json" is exactly the
        // set of assemblies in the runtime's own directory; a package named System.* would not be there.
        var references = typeof(PolicyLoader).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();
        var outsiders = references.Where(name => !IsFramework(name)).ToArray();
        Assert.True(outsiders.Length == 0, "McpWarden.Policy references " + string.Join(", ", outsiders));
        Assert.Contains("System.Text.Json", references);
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

    [Fact]
    public void IsFramework_RejectsWhatMustStayOut()
    {
        // Guards the guard: packages, even ones named System.*, are not mistaken for the framework.
        Assert.False(IsFramework("System.CommandLine"));
        Assert.False(IsFramework("ModelContextProtocol.Core"));
        Assert.False(IsFramework("Microsoft.Data.Sqlite"));
        Assert.False(IsFramework("McpWarden.Gateway"));
        Assert.True(IsFramework("System.Text.Json"));
        Assert.True(IsFramework("System.Runtime"));
    }

    private static bool IsFramework(string name) =>
        File.Exists(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), name + ".dll"));
}
