// The admin API, as the UI calls it: JSON in and out, the session's CSRF token on every change, and a
// refusal turned into an ApiError that carries the API's own words.

/** A refusal or failure of the admin API: status is the HTTP status (0 when the gateway was not reached). */
export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
  }
}

let csrfToken = null;

/** The session's CSRF token, asked for once per page load. */
async function csrf() {
  if (csrfToken === null) {
    const session = await request("/ui/session", { method: "GET" });
    csrfToken = session.csrfToken;
  }
  return csrfToken;
}

/**
 * Calls the admin API. path is like "/api/audit"; query is an object or URLSearchParams (empty values are
 * left out); body is serialised as JSON unless it is already a string.
 */
export async function api(path, { method = "GET", body, query, headers = {} } = {}) {
  const unsafe = method !== "GET" && method !== "HEAD";
  const allHeaders = { Accept: "application/json", ...headers };
  if (unsafe) {
    allHeaders["X-CSRF-Token"] = await csrf();
  }
  if (body !== undefined) {
    allHeaders["Content-Type"] = "application/json";
  }
  return request(withQuery(path, query), {
    method,
    headers: allHeaders,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Ends the session and goes back to the login page. */
export async function logout() {
  try {
    await request("/ui/logout", { method: "POST", headers: { "X-CSRF-Token": await csrf() } });
  } finally {
    window.location.assign("/ui/login?ended=1");
  }
}

function withQuery(path, query) {
  if (!query) {
    return path;
  }
  const params = new URLSearchParams();
  const entries = query instanceof URLSearchParams ? query.entries() : Object.entries(query);
  for (const [name, value] of entries) {
    if (value !== undefined && value !== null && value !== "") {
      params.append(name, String(value));
    }
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function request(url, init) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", cache: "no-store", ...init });
  } catch (error) {
    throw new ApiError(0, `the gateway did not answer (${error.message})`, null);
  }
  if (response.status === 401) {
    // The session ended (idle, logged out elsewhere, or the admin token was replaced).
    window.location.assign("/ui/login");
    throw new ApiError(401, "the session has ended: log in again", null);
  }
  if (response.status === 204) {
    return null;
  }
  const text = await response.text();
  let body = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (!response.ok) {
    const message = body && typeof body === "object" && typeof body.error === "string" ? body.error : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message, body);
  }
  return body;
}
