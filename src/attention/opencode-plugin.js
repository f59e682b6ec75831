// OpenDray's plugin for OpenCode (hook kind `opencode-plugin`): OpenCode loads it itself (it
// runs plugins on Bun) from the copy opencode-plugin-file.ts writes into DATA_DIR, named in the
// session's OPENCODE_CONFIG_CONTENT. It does what `opendray hook` does for other CLIs: posts the
// events that tell the session's activity, reduced, to the session's hook socket
// (hook-channel.ts), in the order they happened. It never throws and never holds OpenCode up:
// posts are queued, each given up after 3 s.
//
//   session.status (busy, retry, idle) of a top-level session; sub-agents' sessions are left out
//   permission.asked (the permission and what it is for), permission.replied
//   question.asked (the first question), question.replied, question.rejected

const SOCKET_ENV = "OPENDRAY_HOOK_SOCKET";
const TOKEN_ENV = "OPENDRAY_HOOK_TOKEN";
const POST_TIMEOUT_MS = 3000;
const MAX_FIELD_CHARS = 1000;

/** OpenCode calls every export of a plugin module with its context; this one takes none. */
export const OpenDrayActivity = async () => {
  const socket = process.env[SOCKET_ENV];
  const token = process.env[TOKEN_ENV];
  if (!socket || !token) return {};
  /** Sessions with a parent: sub-agents working for the session the person talks to. */
  const children = new Set();
  let queue = Promise.resolve();
  const post = (report) =>
    fetch("http://localhost/hooks", {
      unix: socket,
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(report),
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
    }).then(
      (response) => response.body?.cancel(),
      () => undefined,
    );
  return {
    event: async ({ event }) => {
      const report = reportOf(event, children);
      if (report) queue = queue.then(() => post(report));
    },
  };
};

/** The fields of `event` that tell the activity, or undefined for an event that tells none. */
function reportOf(event, children) {
  const properties = event?.properties ?? {};
  switch (event?.type) {
    case "session.created":
    case "session.updated":
      if (properties.info?.parentID) children.add(properties.info.id);
      return undefined;
    case "session.status":
      if (children.has(properties.sessionID)) return undefined;
      return { type: event.type, status: cut(properties.status?.type) };
    case "permission.asked":
      return {
        type: event.type,
        permission: cut(properties.permission),
        detail: cut(permissionDetail(properties)),
      };
    case "question.asked":
      return { type: event.type, detail: cut(properties.questions?.[0]?.question) };
    case "permission.replied":
    case "question.replied":
    case "question.rejected":
      return { type: event.type };
    default:
      return undefined;
  }
}

/** What a person decides on: the command, the file, or the patterns asked for. */
function permissionDetail(request) {
  const metadata = request.metadata ?? {};
  for (const key of ["command", "filepath", "url", "pattern", "path"]) {
    if (typeof metadata[key] === "string" && metadata[key].trim()) return metadata[key].trim();
  }
  return Array.isArray(request.patterns) ? request.patterns.join(" ") : undefined;
}

function cut(value) {
  return typeof value === "string" ? value.slice(0, MAX_FIELD_CHARS) : undefined;
}
