using System.CommandLine;
using System.Diagnostics;
using McpWarden.Cli;

// No HTTP request this process makes carries trace context (traceparent, tracestate, baggage): otherwise a request
// to a server would carry what the client's own request to the gateway carried, a header the gateway never forwards.
DistributedContextPropagator.Current = DistributedContextPropagator.CreateNoOutputPropagator();

var root = new RootCommand("McpWarden: an MCP policy gateway. Every tool call passes the policy.");

var checkFiles = new Argument<string[]>("files") { Description = "Policy or configuration files, or directories of them", Arity = ArgumentArity.OneOrMore };
var check = new Command("check", "Validate policy and configuration files; print every diagnostic as FILE:LINE:COL CODE /json/path message") { checkFiles };
check.SetAction(parse => CheckCommand.Run(parse.GetValue(checkFiles)!, Environment.GetEnvironmentVariable, Console.Out, Console.Error));
root.Subcommands.Add(check);

var testPaths = new Argument<string[]>("paths") { Description = "*.test.json files or directories holding them", Arity = ArgumentArity.OneOrMore };
var test = new Command("test", "Run policy test files; print one line per case, then 'N passed, M failed'") { testPaths };
test.SetAction((parse, cancellationToken) => TestCommand.RunAsync(parse.GetValue(testPaths)!, Console.Out, cancellationToken));
root.Subcommands.Add(test);

var policyOption = new Option<string>("--policy") { Description = "The policy file", Required = true };
var toolOption = new Option<string>("--tool") { Description = "The tool name to decide", Required = true };
var argsOption = new Option<string?>("--args") { Description = "The call's arguments as a JSON object" };
var serverOption = new Option<string>("--server") { Description = "The server the call is for (budgets are per server)", DefaultValueFactory = _ => "default" };
var grantOption = new Option<string>("--grant") { Description = "The calling grant", DefaultValueFactory = _ => "local" };
var sessionOption = new Option<string>("--session") { Description = "The MCP session", DefaultValueFactory = _ => "s1" };
var jsonOption = new Option<bool>("--json") { Description = "Print the decision as JSON" };
var explain = new Command("explain", "One stateless decision with its reason code, rule path and message")
{
    policyOption, toolOption, argsOption, serverOption, grantOption, sessionOption, jsonOption,
};
explain.SetAction((parse, cancellationToken) => ExplainCommand.RunAsync(
    new ExplainRequest(
        parse.GetValue(policyOption)!,
        parse.GetValue(toolOption)!,
        parse.GetValue(argsOption),
        parse.GetValue(serverOption)!,
        parse.GetValue(grantOption)!,
        parse.GetValue(sessionOption)!,
        parse.GetValue(jsonOption)),
    Console.Out,
    Console.Error,
    cancellationToken));
root.Subcommands.Add(explain);

var configOption = new Option<string>("--config") { Description = "The configuration file", Required = true };
var stdioServerOption = new Option<string?>("--server") { Description = "The configured server to serve; without it, every configured server, named {server}__{tool} when there are several" };
var stdioGrantOption = new Option<string>("--grant") { Description = "The grant the caller acts as", DefaultValueFactory = _ => "local" };
var ephemeralOption = new Option<bool>("--ephemeral") { Description = "Keep all state in memory" };
var stdio = new Command("stdio", "Run the gateway as a stdio MCP server for one configured server, or for all of them behind one session")
{
    configOption, stdioServerOption, stdioGrantOption, ephemeralOption,
};
stdio.SetAction((parse, cancellationToken) => StdioCommand.RunAsync(
    parse.GetValue(configOption)!,
    parse.GetValue(stdioServerOption),
    parse.GetValue(stdioGrantOption)!,
    parse.GetValue(ephemeralOption),
    Console.Error,
    cancellationToken));
root.Subcommands.Add(stdio);

var serveConfigOption = new Option<string>("--config") { Description = "The configuration file", Required = true };
var urlsOption = new Option<string>("--urls") { Description = "Where to listen, e.g. http://127.0.0.1:8787 (several separated by ';')", DefaultValueFactory = _ => ServeCommand.DefaultUrl };
var serveEphemeralOption = new Option<bool>("--ephemeral") { Description = "Keep all state in memory" };
var serve = new Command("serve", "Run the gateway over Streamable HTTP: /mcp/{server} for one server, /mcp for all")
{
    serveConfigOption, urlsOption, serveEphemeralOption,
};
serve.SetAction((parse, cancellationToken) => ServeCommand.RunAsync(
    parse.GetValue(serveConfigOption)!,
    parse.GetValue(urlsOption)!,
    parse.GetValue(serveEphemeralOption),
    Console.Out,
    Console.Error,
    cancellationToken));
root.Subcommands.Add(serve);

var approvalsAction = new Argument<string>("action") { Description = "list, approve or deny" };
approvalsAction.AcceptOnlyFromAmong("list", "approve", "deny");
var approvalId = new Argument<string?>("id") { Description = "The approval to decide (approve, deny)", Arity = ArgumentArity.ZeroOrOne };
var reasonOption = new Option<string?>("--reason") { Description = "Why (recorded with the decision, and told to the agent on a deny)" };
var adminUrlOption = new Option<string>("--url") { Description = "The running gateway", DefaultValueFactory = _ => ServeCommand.DefaultUrl };
var adminTokenOption = new Option<string?>("--token") { Description = $"The admin token (default: ${ApprovalsCommand.TokenVariable})" };
var approvalsJsonOption = new Option<bool>("--json") { Description = "list: one JSON object per line" };
var approvals = new Command("approvals", "List the calls held for a person, and approve or deny one, through a running gateway's admin API")
{
    approvalsAction, approvalId, reasonOption, adminUrlOption, adminTokenOption, approvalsJsonOption,
};
approvals.SetAction((parse, cancellationToken) => ApprovalsCommand.RunAsync(
    new ApprovalsRequest(
        parse.GetValue(approvalsAction)!,
        parse.GetValue(approvalId),
        parse.GetValue(reasonOption),
        parse.GetValue(adminUrlOption)!,
        parse.GetValue(adminTokenOption) ?? Environment.GetEnvironmentVariable(ApprovalsCommand.TokenVariable),
        parse.GetValue(approvalsJsonOption)),
    handler: null,
    Console.Out,
    Console.Error,
    cancellationToken));
root.Subcommands.Add(approvals);

var auditConfigOption = new Option<string>("--config") { Description = "The configuration file (its store holds the audit log)", Required = true };
string[] auditFilterNames = ["since", "until", "decision", "code", "grant", "server", "tool", "before", "limit"];
var auditFilters = auditFilterNames.ToDictionary(name => name, name => new Option<string?>("--" + name) { Description = AuditOptionDescription(name) });
var auditJsonOption = new Option<bool>("--json") { Description = "One JSON object per line (JSON Lines)" };
var audit = new Command("audit", "Read the audit log, newest first") { auditConfigOption, auditJsonOption };
foreach (var filter in auditFilters.Values)
{
    audit.Options.Add(filter);
}

audit.SetAction((parse, cancellationToken) => AuditCommand.RunAsync(
    parse.GetValue(auditConfigOption)!,
    name => auditFilters.TryGetValue(name, out var option) ? parse.GetValue(option) : null,
    parse.GetValue(auditJsonOption),
    Console.Out,
    Console.Error,
    cancellationToken));
root.Subcommands.Add(audit);

var grantAddName = new Argument<string>("name") { Description = "The grant's name: 1 to 64 of A-Z a-z 0-9 . _ -" };
var grantAddConfig = new Option<string>("--config") { Description = "The configuration file to add the grant to", Required = true };
var grantServersOption = new Option<string?>("--servers") { Description = "The servers the grant may reach, separated by commas; without it, every server (or, with --replace, the ones it had)" };
var grantReplaceOption = new Option<bool>("--replace") { Description = "Give an existing grant a new key; the old key stops working" };
var grantAdd = new Command("add", "Create a grant: print its key once, store only the key's SHA-256 in the configuration")
{
    grantAddName, grantAddConfig, grantServersOption, grantReplaceOption,
};
grantAdd.SetAction(parse => GrantCommand.Add(
    parse.GetValue(grantAddConfig)!,
    parse.GetValue(grantAddName)!,
    parse.GetValue(grantServersOption),
    parse.GetValue(grantReplaceOption),
    Environment.GetEnvironmentVariable,
    Console.Out,
    Console.Error));

var grantListConfig = new Option<string>("--config") { Description = "The configuration file", Required = true };
var grantList = new Command("list", "List the grants and the servers each may reach (never their hashes)") { grantListConfig };
grantList.SetAction(parse => GrantCommand.List(parse.GetValue(grantListConfig)!, Environment.GetEnvironmentVariable, Console.Out, Console.Error));

var grantRemoveName = new Argument<string>("name") { Description = "The grant to remove" };
var grantRemoveConfig = new Option<string>("--config") { Description = "The configuration file", Required = true };
var grantRemove = new Command("remove", "Remove a grant: its key stops working as soon as a running gateway reloads the file") { grantRemoveName, grantRemoveConfig };
grantRemove.SetAction(parse => GrantCommand.Remove(parse.GetValue(grantRemoveConfig)!, parse.GetValue(grantRemoveName)!, Environment.GetEnvironmentVariable, Console.Out, Console.Error));

var grant = new Command("grant", "Manage the grants: the keys callers present to the gateway") { grantAdd, grantList, grantRemove };
root.Subcommands.Add(grant);

var adminTokenConfig = new Option<string>("--config") { Description = "The configuration file", Required = true };
var adminTokenReplace = new Option<bool>("--replace") { Description = "Make a new token in place of the existing one; the old one stops working" };
var adminToken = new Command("token", "Create the admin API token: print it once, store only its SHA-256 in the configuration") { adminTokenConfig, adminTokenReplace };
adminToken.SetAction(parse => AdminCommand.Token(parse.GetValue(adminTokenConfig)!, parse.GetValue(adminTokenReplace), Environment.GetEnvironmentVariable, Console.Out, Console.Error));
var admin = new Command("admin", "Manage the gateway's admin access") { adminToken };
root.Subcommands.Add(admin);

var inventoryConfig = new Option<string>("--config") { Description = "The configuration file", Required = true };
var inventoryServer = new Option<string?>("--server") { Description = "Only this configured server" };
var inventoryJson = new Option<bool>("--json") { Description = "One JSON document (its shape: docs/inventory.md)" };
var inventory = new Command("inventory", "Every tool of every configured server: category, risk and why, the rule that governs it, its pin state and scan findings")
{
    inventoryConfig, inventoryServer, inventoryJson,
};
inventory.SetAction((parse, cancellationToken) => InventoryCommand.RunAsync(
    parse.GetValue(inventoryConfig)!,
    parse.GetValue(inventoryServer),
    parse.GetValue(inventoryJson),
    Console.Out,
    Console.Error,
    cancellationToken));
root.Subcommands.Add(inventory);

var recommendConfig = new Option<string>("--config") { Description = "The configuration file", Required = true };
var recommendServer = new Option<string?>("--server") { Description = "The server to recommend a policy for (needed when several are configured)" };
var recommend = new Command("recommend", "Print a policy for a server's live tools, in the seed format, to review and install") { recommendConfig, recommendServer };
recommend.SetAction((parse, cancellationToken) => RecommendCommand.RunAsync(
    parse.GetValue(recommendConfig)!,
    parse.GetValue(recommendServer),
    Console.Out,
    Console.Error,
    cancellationToken));
root.Subcommands.Add(recommend);

// The gateway shuts down in its own time on SIGTERM (closing sessions and their server processes); the
// parser must not end the process two seconds in.
// mcpwarden pins list|accept: the pinned tool definitions in the configuration's store.
var pinsListConfig = new Option<string>("--config") { Description = "The configuration file (its store holds the pins)", Required = true };
var pinsListServer = new Option<string?>("--server") { Description = "Only this server's pins" };
var pinsListJson = new Option<bool>("--json") { Description = "One JSON object per line (JSON Lines)" };
var pinsList = new Command("list", "Every pinned tool: its state, fingerprints, times, and for a changed one the diff") { pinsListConfig, pinsListServer, pinsListJson };
pinsList.SetAction((parse, cancellationToken) => PinsCommand.ListAsync(
    parse.GetValue(pinsListConfig)!, parse.GetValue(pinsListServer), parse.GetValue(pinsListJson), Console.Out, Console.Error, cancellationToken));
var pinsAcceptConfig = new Option<string>("--config") { Description = "The configuration file (its store holds the pins)", Required = true };
var pinsAcceptTarget = new Argument<string>("tool") { Description = "SERVER/TOOL" };
var pinsAcceptFingerprint = new Option<string?>("--fingerprint") { Description = "The full fingerprint (64 hex digits) of the changed definition reviewed; without it the change is shown and nothing is accepted" };
var pinsAccept = new Command("accept", "Show a changed tool definition; with --fingerprint, make exactly that definition the pin: the tool is listed and callable again") { pinsAcceptTarget, pinsAcceptConfig, pinsAcceptFingerprint };
pinsAccept.SetAction((parse, cancellationToken) => PinsCommand.AcceptAsync(
    parse.GetValue(pinsAcceptConfig)!, parse.GetValue(pinsAcceptTarget)!, parse.GetValue(pinsAcceptFingerprint), Console.Out, Console.Error, cancellationToken));
root.Subcommands.Add(new Command("pins", "Pinned tool definitions: list them, accept a change") { pinsList, pinsAccept });

try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
}
catch (McpWarden.Gateway.Storage.StoreUnavailableException e)
{
    // A command that reads the shared store (pins, inventory) while Redis is away: one line that says so, not a stack trace.
    await Console.Error.WriteLineAsync("mcpwarden: " + e.Message).ConfigureAwait(false);
    return McpWarden.Cli.ExitCodes.Invalid;
}

static string AuditOptionDescription(string name) => name switch
{
    "since" => "Records at or after this time: ISO 8601 (2026-01-31T12:00:00Z) or a duration ago (15m, 2h, 7d)",
    "until" => "Records before this time (same forms as --since)",
    "decision" => "allow, deny or hold",
    "code" => "A reason code, e.g. rate_limited",
    "before" => "Records with a smaller id (paging)",
    "limit" => "How many records at most (default 100)",
    _ => $"Only this {name}",
};
