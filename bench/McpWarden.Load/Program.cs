using McpWarden.Load;

// The load harness: see docs/benchmarks.md. `load.sh COMMAND [options]`; `load.sh --help` lists the commands.
if (args is [] or ["--help" or "-h"])
{
    await Console.Out.WriteLineAsync(Usage());
    return args.Length == 0 ? 2 : 0;
}

var command = LoadCommands.All.FirstOrDefault(c => c.Name == args[0]);
if (command is null)
{
    await Console.Error.WriteLineAsync($"McpWarden.Load: unknown command \"{args[0]}\"\n{Usage()}");
    return 2;
}

return await command.RunAsync(args[1..], Console.Out);

static string Usage() =>
    "usage: bench/load.sh COMMAND [options]   (COMMAND --help for its options)\n" +
    string.Join('\n', LoadCommands.All.Select(c => $"  {c.Name,-10} {c.Summary}"));
