namespace McpWarden.Gateway; internal static class Placeholder {}
