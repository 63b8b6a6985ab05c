// The Policies page: #/policies lists every server with where its policy comes from; #/policies/NAME is the
// policy builder for that server (js/policy-builder.js).
import { api } from "../api.js";
import { errorBanner, h, timeElement } from "../dom.js";
import { mountBuilder } from "../policy-builder.js";

export default {
  title: "Policies",
  async mount(root, route) {
    if (route.params.length > 0) {
      return mountBuilder(root, route.params[0]);
    }
    root.append(h("h1", {}, "Policies"));
    let listing;
    try {
      listing = await api("/api/policies");
    } catch (error) {
      root.append(errorBanner(error));
      return undefined;
    }
    if (listing.config?.refused) {
      root.append(h("p", { class: "warning", role: "status" }, "The last reload of the configuration was refused: the policies below are the ones still in force."));
    }
    const rows = listing.servers.map((server) => h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `#/policies/${encodeURIComponent(server.server)}` }, server.server)),
      h("td", {}, sourceLabel(server.source)),
      h("td", {}, server.default ?? ""),
      h("td", {}, String(server.rules ?? "")),
      h("td", {}, server.mode),
      h("td", { class: "mono", title: server.revision }, server.revision.slice(0, 12)),
      h("td", {}, timeElement(server.since))));
    root.append(
      h("p", { class: "muted" }, "Open a server to build its policy. Only a policy kept in a file of its own can be edited here."),
      h("div", { class: "table-wrap" },
        h("table", { class: "data" },
          h("caption", { class: "sr-only" }, "Servers and their policies"),
          h("thead", {}, h("tr", {}, ["Server", "Policy source", "Default", "Rules", "Mode", "Revision", "In force since"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, rows))));
    return undefined;
  },
};

/** "file: policies/x.json", "inline in the configuration", "none (every call denied)". */
function sourceLabel(source) {
  if (source === "(default policy)") {
    return "none: every call is denied";
  }
  if (source.startsWith("/mcpServers/")) {
    return `inline in the configuration (${source})`;
  }
  return `file: ${source}`;
}
