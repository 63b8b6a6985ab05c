# syntax=docker/dockerfile:1
# The gateway, `mcpwarden serve`, in a container: see docs/deploy.md.
#
#   docker build -t mcpwarden .
#   docker run --rm -v "$PWD/deploy/mcpwarden:/etc/mcpwarden:ro" -e REDIS_PASSWORD -p 127.0.0.1:8787:8787 mcpwarden

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
# Only what the gateway's build reads: the shared build settings (global.json pins the SDK band, the
# analyzers read BannedSymbols.txt and .editorconfig) and src/. Tests, benchmarks and samples stay out.
COPY global.json Directory.Build.props Directory.Packages.props BannedSymbols.txt .editorconfig ./
COPY src/ src/
# The NuGet cache is kept between builds, so a change to the source does not download every package again.
RUN --mount=type=cache,id=mcpwarden-nuget,target=/root/.nuget/packages \
    dotnet publish src/McpWarden/McpWarden.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
COPY --from=build /app /app
# `mcpwarden` on the PATH, for `docker compose exec gateway-a mcpwarden audit ...`. /var/lib/mcpwarden
# holds what the gateway writes (its audit log, or with store.path the whole store) and belongs to the
# image's non-root user, so a fresh volume mounted there is writable by it.
RUN ln -s /app/mcpwarden /usr/local/bin/mcpwarden \
    && mkdir -p /etc/mcpwarden /var/lib/mcpwarden \
    && chown "$APP_UID:$APP_UID" /var/lib/mcpwarden
USER $APP_UID
WORKDIR /var/lib/mcpwarden
# The base image sets ASPNETCORE_HTTP_PORTS=8080; --urls wins anyway, but with a warning in the log at every start.
ENV ASPNETCORE_HTTP_PORTS=
EXPOSE 8787
# The image has no curl or wget; bash can speak HTTP/1.0 to /healthz itself. Listening beyond loopback
# (as below) the gateway accepts any Host name, so "localhost" passes its Host check.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8787 && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["dotnet", "/app/mcpwarden.dll"]
# Beyond loopback the configuration must have grants (serve refuses to start otherwise) and, for /api and
# /ui, an admin token.
CMD ["serve", "--config", "/etc/mcpwarden/mcpwarden.json", "--urls", "http://0.0.0.0:8787"]
