namespace McpWarden.Gateway.Pinning;

/// <summary>The outcome of accepting a changed definition.</summary>
public enum PinAcceptance
{
    /// <summary>The changed definition is now the pin.</summary>
    Accepted,

    /// <summary>No pin for that server and tool.</summary>
    UnknownTool,

    /// <summary>The tool has no changed definition waiting.</summary>
    NothingToAccept,

    /// <summary>The waiting definition is not the one the person reviewed (the server changed it again).</summary>
    FingerprintMismatch,
}
