using System.Diagnostics;
using System.Text;
using System.Text.Json;
using McpWarden.Load.Measuring;

namespace McpWarden.Load.Startup;

/// <summary>
/// Starts a stdio MCP server as a desktop client does and times its first answers: <c>initialize</c> is written to
/// its input the instant the process exists (a client does not wait for anything), then, once answered,
/// <c>notifications/initialized</c> and <c>tools/list</c> together. Then its input is closed, as a client that
/// ends the conversation does; a process still running after that is killed with its children.
/// </summary>
internal static class StartupProbe
{
    private static readonly byte[] Initialize = Encoding.UTF8.GetBytes(
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"mcpwarden-load-startup","version":"1.0"}}}""" + "\n");

    private static readonly byte[] ListTools = Encoding.UTF8.GetBytes(
        """{"jsonrpc":"2.0","method":"notifications/initialized"}""" + "\n" + """{"jsonrpc":"2.0","id":2,"method":"tools/list"}""" + "\n");

    /// <summary>How long a start may take before the run counts as failed (the machine may be busy; this is not the target).</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long the process has to end by itself once its input is closed.</summary>
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    /// <summary>One start of <paramref name="target"/>; throws <see cref="StartupFailedException"/> when an answer is missing or an error.</summary>
    public static async Task<StartupSample> RunAsync(StartupTarget target, string workingDirectory, StreamWriter log)
    {
        var start = new ProcessStartInfo(target.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in target.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var time = TimeProvider.System;
        var began = time.GetTimestamp();
        using var process = Process.Start(start) ?? throw new StartupFailedException($"{target.Name} did not start");
        try
        {
            var input = process.StandardInput.BaseStream;
            await input.WriteAsync(Initialize).ConfigureAwait(false);
            await input.FlushAsync().ConfigureAwait(false);
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (log)
                    {
                        log.WriteLine(e.Data);
                    }
                }
            };
            process.BeginErrorReadLine();

            using var deadline = new CancellationTokenSource(AnswerTimeout);
            var output = process.StandardOutput;
            await ExpectAnswerAsync(output, 1, target, deadline.Token).ConfigureAwait(false);
            var initialized = time.GetElapsedTime(began);
            var cpuAtInitialize = ProcFs.CpuTime(process.Id);

            var listing = time.GetTimestamp();
            await input.WriteAsync(ListTools, deadline.Token).ConfigureAwait(false);
            await input.FlushAsync(deadline.Token).ConfigureAwait(false);
            var list = await ExpectAnswerAsync(output, 2, target, deadline.Token).ConfigureAwait(false);
            var listed = time.GetElapsedTime(listing);
            var cpuAtList = ProcFs.CpuTime(process.Id);
            var tools = list.RootElement.GetProperty("result").GetProperty("tools").GetArrayLength();
            list.Dispose();

            input.Close();
            using var exit = new CancellationTokenSource(ExitTimeout);
            try
            {
                await process.WaitForExitAsync(exit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                log.WriteLine($"# {target.Name} still running {ExitTimeout.TotalSeconds} s after its input closed: killed");
            }

            return new StartupSample(initialized, listed, cpuAtInitialize, cpuAtList, tools);
        }
        catch (OperationCanceledException)
        {
            throw new StartupFailedException($"{target.Name} did not answer within {AnswerTimeout.TotalSeconds} s (its standard error is in the run's log)");
        }
        finally
        {
            if (!process.HasExited)
            {
                // INVARIANT: nothing started here outlives its run, the gateway's upstream child included.
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Reads lines until the answer with <paramref name="id"/>; anything before it (a notification) is skipped. An error answer fails the run.</summary>
    private static async Task<JsonDocument> ExpectAnswerAsync(StreamReader output, int id, StartupTarget target, CancellationToken cancellationToken)
    {
        while (await output.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            var message = JsonDocument.Parse(line);
            if (message.RootElement.TryGetProperty("id", out var answered) && answered.ValueKind == JsonValueKind.Number && answered.GetInt32() == id)
            {
                if (message.RootElement.TryGetProperty("result", out _))
                {
                    return message;
                }

                message.Dispose();
                throw new StartupFailedException($"{target.Name} answered request {id} with an error: {line}");
            }

            message.Dispose();
        }

        throw new StartupFailedException($"{target.Name} closed its output before answering request {id}");
    }
}
