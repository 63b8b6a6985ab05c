namespace McpWarden.Policy; internal static class Placeholder {}
