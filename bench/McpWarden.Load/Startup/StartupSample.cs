namespace McpWarden.Load.Startup;

/// <summary>One start of a target, measured from just before the process was created.</summary>
/// <param name="Initialize">Until the answer to <c>initialize</c> (written to its input the instant it started) was read from its output.</param>
/// <param name="ToolsList">From then until the answer to the first <c>tools/list</c> (sent with <c>notifications/initialized</c>).</param>
/// <param name="CpuAtInitialize">The process's own CPU time (user + system, its children excluded) when <c>initialize</c> was answered; null where /proc cannot tell.</param>
/// <param name="CpuAtToolsList">The same when <c>tools/list</c> was answered.</param>
/// <param name="Tools">How many tools the list held.</param>
internal sealed record StartupSample(TimeSpan Initialize, TimeSpan ToolsList, TimeSpan? CpuAtInitialize, TimeSpan? CpuAtToolsList, int Tools);
