// The UI's shell: a hash router that mounts one page module at a time into <main id="page">.
// Routes look like #/PAGE/param1/param2?query; a page module exports
//   default { title, mount(root, route) }  with route = { page, params, query }
// and mount may return a cleanup function, called before the next page is mounted (to stop its timers).
import { logout } from "./api.js";
import { clear, errorBanner, h } from "./dom.js";

const pages = ["servers", "policies", "approvals", "audit"];
const defaultPage = "servers";

let cleanup = null;
let generation = 0;

/** The route the location's hash names. */
export function currentRoute() {
  const hash = window.location.hash.replace(/^#\/?/, "");
  const [pathPart, queryPart = ""] = hash.split("?", 2);
  const [page = "", ...params] = pathPart.split("/").map(decodeURIComponent);
  return { page: page || defaultPage, params: params.filter((p) => p !== ""), query: new URLSearchParams(queryPart) };
}

/** Changes the hash to a route; replace keeps the history entry (for filters typed into a page). */
export function navigate(page, params = [], query = null, { replace = false } = {}) {
  const path = [page, ...params].map(encodeURIComponent).join("/");
  const text = query ? new URLSearchParams(query).toString() : "";
  const hash = `#/${path}${text ? `?${text}` : ""}`;
  if (replace) {
    history.replaceState(null, "", hash);
  } else {
    window.location.hash = hash;
  }
}

async function render() {
  const mine = ++generation;
  const route = currentRoute();
  const root = document.getElementById("page");
  if (cleanup) {
    try { cleanup(); } catch (error) { console.error(error); }
    cleanup = null;
  }
  markCurrent(route.page);
  clear(root);
  if (!pages.includes(route.page)) {
    document.title = "Not found · McpWarden";
    root.append(h("h1", {}, "Not found"), h("p", {}, `There is no page called "${route.page}".`));
    return;
  }
  try {
    const module = await import(`./pages/${route.page}.js`);
    if (mine !== generation) {
      return;
    }
    const page = module.default;
    document.title = `${page.title} · McpWarden`;
    const result = await page.mount(root, route);
    if (mine !== generation) {
      if (typeof result === "function") result();
      return;
    }
    cleanup = typeof result === "function" ? result : null;
  } catch (error) {
    if (mine === generation) {
      root.append(errorBanner(error));
    }
  }
}

function markCurrent(page) {
  for (const link of document.querySelectorAll("nav a[data-page]")) {
    if (link.dataset.page === page) {
      link.setAttribute("aria-current", "page");
    } else {
      link.removeAttribute("aria-current");
    }
  }
}

window.addEventListener("hashchange", () => {
  render();
  // Keyboard and screen-reader users land on the new page's content, not on the link they used.
  document.getElementById("page").focus({ preventScroll: true });
});
document.getElementById("logout").addEventListener("click", () => logout());
render();
