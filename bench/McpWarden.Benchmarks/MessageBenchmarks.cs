using System.Text;
using BenchmarkDotNet.Attributes;
using McpWarden.Gateway.Fronts;
using ModelContextProtocol.Protocol;

namespace McpWarden.Benchmarks;

/// <summary>
/// The front's first look at a client's message (<see cref="MessageScreening.Screen"/>: UTF-8, JSON, duplicate
/// and case-colliding keys, the JSON-RPC shape, then the SDK's message): once for the load harness's
/// <c>echo</c> call, once for a call with a nested argument object of realistic size.
/// </summary>
[MemoryDiagnoser]
public class MessageBenchmarks
{
    private static readonly byte[] Echo = Encoding.UTF8.GetBytes(
        """{"jsonrpc":"2.0","id":17,"method":"tools/call","params":{"name":"echo","arguments":{"text":"client 3 call 1234"}}}""");

    private static readonly byte[] Payment = Encoding.UTF8.GetBytes(
        """
        {"jsonrpc":"2.0","id":"c-42","method":"tools/call","params":{"name":"stk_push","_meta":{"progressToken":9},
         "arguments":{"phone":"254712345678","amount":1500,"currency":"KES","reference":"INV-2026-0042",
         "description":"Invoice 42 for March","metadata":{"customer":"c-981","tags":["retail","repeat"],"channel":"app"}}}}
        """);

    [GlobalSetup]
    public void Setup()
    {
        Expect(ScreenEcho());
        Expect(ScreenPayment());
    }

    [Benchmark]
    public JsonRpcMessage? ScreenEcho() => MessageScreening.Screen(Echo).Message;

    [Benchmark]
    public JsonRpcMessage? ScreenPayment() => MessageScreening.Screen(Payment).Message;

    private static void Expect(JsonRpcMessage? message)
    {
        if (message is not JsonRpcRequest { Method: "tools/call" })
        {
            throw new InvalidOperationException("benchmark setup: the message was not read as a tools/call request");
        }
    }
}
