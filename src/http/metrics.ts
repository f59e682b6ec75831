// Counters and gauges the HTTP layer keeps for GET /metrics, and their rendering in Prometheus's
// text exposition format (version 0.0.4). One instance per server, created in server.ts.

import { SESSION_STATES, type SessionState } from "../protocol/session.ts";

/** Which limiter refused a request: the three token-bucket families of app.ts. */
export type RateLimitKind = "login" | "reads" | "session_ops";

/** Mutable counters, updated on the hot path without allocation. */
export interface Metrics {
  /** PTY output bytes accepted by viewers' WebSockets (sent or queued), since start. */
  streamBytesOut: number;
  /** Terminal stream sockets open now. */
  streamViewers: number;
  /** Requests refused with 429, by limiter, since start. */
  rateLimited: Record<RateLimitKind, number>;
}

export function createMetrics(): Metrics {
  return {
    streamBytesOut: 0,
    streamViewers: 0,
    rateLimited: { login: 0, reads: 0, session_ops: 0 },
  };
}

/** What the exposition needs beyond the counters: read at scrape time. */
export interface MetricsSnapshot {
  metrics: Metrics;
  /** Stored sessions per state. */
  sessionsByState: Partial<Record<SessionState, number>>;
  /** Sessions with a live PTY in this process. */
  liveSessions: number;
  /** Output bytes this process holds in memory for live sessions (rings, or copies of them). */
  outputBytesHeld: number;
  /** All open WebSockets (streams and lifecycle events). */
  webSockets: number;
  version: string;
  commit: string;
  startedAtMs: number;
}

/** The exposition text: `# HELP`/`# TYPE` then samples, one metric family at a time. */
export function renderMetrics(snapshot: MetricsSnapshot): string {
  const { metrics, version, commit, startedAtMs, sessionsByState } = snapshot;
  const lines: string[] = [];
  /** One family: a counter when its name ends in `_total` (Prometheus's naming rule), else a
   *  gauge; `samples` is a lone unlabelled value or [labels, value] pairs. */
  const family = (name: string, help: string, samples: number | [string, number][]) => {
    const type = name.endsWith("_total") ? "counter" : "gauge";
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of typeof samples === "number" ? [["", samples]] : samples) {
      lines.push(`${name}${labels} ${value}`);
    }
  };
  family("opendray_build_info", "Version and commit of the running server; always 1.", [
    [`{version="${label(version)}",commit="${label(commit)}"}`, 1],
  ]);
  family(
    "opendray_start_time_seconds",
    "Unix time the server started.",
    Math.floor(startedAtMs / 1000),
  );
  family(
    "opendray_sessions",
    "Stored sessions by state.",
    SESSION_STATES.map((state) => [`{state="${state}"}`, sessionsByState[state] ?? 0]),
  );
  family(
    "opendray_live_sessions",
    "Sessions with a running PTY in this process.",
    snapshot.liveSessions,
  );
  family(
    "opendray_output_bytes_held",
    "PTY output this server holds in memory for live sessions (with PTY_HOST=auto: its copies of the PTY host's rings, kept while watched).",
    snapshot.outputBytesHeld,
  );
  family("opendray_stream_viewers", "Open terminal stream WebSockets.", metrics.streamViewers);
  family(
    "opendray_websockets",
    "Open WebSockets (terminal streams and lifecycle events).",
    snapshot.webSockets,
  );
  family(
    "opendray_stream_bytes_out_total",
    "PTY output bytes sent to terminal stream viewers.",
    metrics.streamBytesOut,
  );
  family(
    "opendray_rate_limited_total",
    "Requests refused with 429, by limiter.",
    Object.entries(metrics.rateLimited).map(([limiter, value]) => [
      `{limiter="${limiter}"}`,
      value,
    ]),
  );
  return `${lines.join("\n")}\n`;
}

/** A label value escaped as the format requires (backslash, double quote, newline). */
function label(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
