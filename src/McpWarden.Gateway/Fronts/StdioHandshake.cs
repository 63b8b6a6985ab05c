using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Fronts;

/// <summary>
/// Where one stdio conversation stands in MCP's handshake. Over HTTP a session exists only once
/// <c>initialize</c> succeeded; a stdio conversation is one session from its first line, so the front keeps
/// the order itself: until the server has answered <c>initialize</c>, only <c>ping</c> may come before it,
/// and once it has, a second <c>initialize</c> is refused (it would re-negotiate capabilities, such as
/// elicitation, under a session the server already set up).
/// </summary>
internal sealed class StdioHandshake
{
    private readonly Lock _gate = new();
    private readonly HashSet<RequestId> _pingsBefore = [];
    private Phase _phase;
    private RequestId _initializeId;

    private enum Phase
    {
        NotStarted,
        InFlight,
        Done,
    }

    /// <summary>The error frame that refuses a client's message for coming out of order, or null when it may go on.</summary>
    public JsonObject? Refusal(JsonRpcMessage message)
    {
        if (message is not JsonRpcRequest request)
        {
            // Notifications and answers carry no work a server could run; the relay deals with them.
            return null;
        }

        lock (_gate)
        {
            if (request.Method == RequestMethods.Initialize)
            {
                switch (_phase)
                {
                    case Phase.NotStarted when _pingsBefore.Contains(request.Id):
                        // The ping's answer would otherwise be taken for the initialize's, and the session pass as initialized.
                        return Refuse(request, "this initialize reuses the id of a ping still in flight: give it an id of its own");
                    case Phase.NotStarted:
                        _phase = Phase.InFlight;
                        _initializeId = request.Id;
                        return null;
                    case Phase.InFlight:
                        return Refuse(request, "an initialize is already in flight in this session: wait for its answer");
                    default:
                        return Refuse(request, "the session is already initialized: a second initialize is refused (start the gateway again for a new session)");
                }
            }

            if (_phase == Phase.Done)
            {
                return null;
            }

            if (request.Method == RequestMethods.Ping)
            {
                // A ping reusing the initialize's id is the relay's to refuse: its answer is the initialize's.
                if (!(_phase == Phase.InFlight && request.Id.Equals(_initializeId)))
                {
                    _pingsBefore.Add(request.Id);
                }

                return null;
            }

            return Refuse(request, $"initialize first: {Policy.Json.JsonText.Quote(request.Method)} came before the session was initialized (only ping may)");
        }
    }

    /// <summary>Watches what goes to the client: the answer to <c>initialize</c> completes the handshake, or (an error) lets the client try again.</summary>
    public void Observe(JsonRpcMessage message)
    {
        lock (_gate)
        {
            if (message is not JsonRpcMessageWithId answer || _pingsBefore.Remove(answer.Id) || _phase != Phase.InFlight || !answer.Id.Equals(_initializeId))
            {
                return;
            }

            if (answer is JsonRpcResponse)
            {
                _phase = Phase.Done;
            }
            else if (answer is JsonRpcError)
            {
                _phase = Phase.NotStarted;
            }
        }
    }

    private static JsonObject Refuse(JsonRpcRequest request, string message) =>
        MessageScreening.ErrorFrame(McpErrorCode.InvalidRequest, message, JsonSerializer.SerializeToNode(request.Id, McpJson.RequestId));
}
