using McpWarden.Load.Measuring;

namespace McpWarden.Load.Compare;

/// <summary>
/// A part of a scenario whose CPU and memory the report gives: the process the clients speak to (<c>front</c>), the
/// server process or processes behind it (<c>upstream</c>), and the harness itself.
/// </summary>
/// <param name="Role">front, upstream or harness.</param>
/// <param name="What">The program, as the report names it.</param>
/// <param name="Pid">The process; with <paramref name="Descendants"/>, the process whose descendants are measured instead.</param>
/// <param name="Descendants">Measure the descendants of <paramref name="Pid"/> (the stdio servers a front started), summed.</param>
internal sealed record MeasuredRole(string Role, string What, int Pid, bool Descendants)
{
    public IReadOnlyList<int> Processes() => Descendants ? ProcFs.Descendants(Pid) : [Pid];
}
