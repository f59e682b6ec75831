// A stand-in for Anthropic's Messages API on a loopback port, for driving a real Claude Code
// (ANTHROPIC_BASE_URL) through real turns without the internet. It speaks the real protocol:
// `POST /v1/messages` answers with the streamed server-sent events (message_start,
// content_block_start, content_block_delta…, content_block_stop, message_delta, message_stop) or,
// without `stream`, one JSON message; `POST /v1/messages/count_tokens` with an estimate.
//
// The replies of the main conversation (requests offering tools) are scripted by the test with
// `reply` and `replyToolUse`, in order; once the script is used up they are "OK". The requests
// Claude Code makes on its own leave the script alone: its session title request (a small model,
// `tools: []`, JSON asked for with `output_config.format`) gets JSON of that schema, any other
// such request a short text; the `HEAD /` it opens the connection with gets a 404, as any other
// path. Every request is recorded in `requests`.

import { field, items } from "./json.ts";
import { WaitList } from "./wait-list.ts";

const MODEL_DEFAULT = "claude-sonnet-4-5-20250929";

/** The reply used when the script is empty, and for side requests. */
export const DEFAULT_REPLY = "OK";
/** The strings of a structured side reply (the session title Claude Code asks for). */
export const SIDE_REPLY = "Stand-in session";

export type ScriptedReply =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export interface RecordedRequest {
  method: string;
  /** The path without its query (Claude Code adds `?beta=true`). */
  path: string;
  /** The JSON body as sent (read it with `field`/`items` of ./json.ts, or `userText`). */
  body: unknown;
  /** A request of the main conversation (it offers tools), answered from the script. */
  main: boolean;
  /** What it was answered with (undefined for count_tokens and unknown paths). */
  reply?: ScriptedReply;
}

export interface ModelApi {
  /** Base URL for ANTHROPIC_BASE_URL, e.g. http://127.0.0.1:43123 */
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Queue a text reply for the next main-conversation request. */
  reply(text: string): void;
  /** Queue a reply asking to use a tool (stop_reason "tool_use"); returns the tool_use id. */
  replyToolUse(tool: { name: string; input: Record<string, unknown>; id?: string }): string;
  /** Replies queued and not yet sent. */
  readonly pending: number;
  /** Resolve with the first request (received so far or later) matching `match`. */
  waitForRequest(
    match: (request: RecordedRequest) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedRequest>;
  stop(): Promise<void>;
}

/** The text of a request's user turns (string content or text blocks), newest last. */
export function userText(body: unknown): string {
  const parts: string[] = [];
  for (const message of items(body, "messages")) {
    if (field(message, "role") !== "user") continue;
    const content = field(message, "content");
    if (typeof content === "string") parts.push(content);
    for (const block of Array.isArray(content) ? content : []) {
      const text = field(block, "text");
      if (field(block, "type") === "text" && typeof text === "string") parts.push(text);
    }
  }
  return parts.join("\n");
}

/** A rough token count (4 characters a token), enough for the usage fields Claude shows. */
function estimateTokens(value: unknown): number {
  return Math.max(1, Math.ceil(JSON.stringify(value ?? "").length / 4));
}

function errorResponse(status: number, type: string, message: string): Response {
  return Response.json({ type: "error", error: { type, message } }, { status });
}

/** Split `text` into a few pieces, as a model streams it. */
function pieces(text: string, count = 3): string[] {
  if (text.length <= count) return [text];
  const size = Math.ceil(text.length / count);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/**
 * A value of JSON `schema` (strings `text`, numbers 0, booleans false, …): the answer to a side
 * request asking for structured output (`output_config.format`), as Claude Code's session
 * title request does (`{"title": string}`).
 */
function fillSchema(schema: unknown, text: string): unknown {
  const s = (schema ?? {}) as {
    type?: unknown;
    properties?: Record<string, unknown>;
    enum?: unknown[];
  };
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  switch (Array.isArray(s.type) ? s.type[0] : s.type) {
    case "object":
      return Object.fromEntries(
        Object.entries(s.properties ?? {}).map(([key, value]) => [key, fillSchema(value, text)]),
      );
    case "array":
      return [];
    case "number":
    case "integer":
      return 0;
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return text;
  }
}

function contentBlock(reply: ScriptedReply) {
  return reply.type === "text"
    ? { type: "text", text: reply.text }
    : { type: "tool_use", id: reply.id, name: reply.name, input: reply.input };
}

function stopReason(reply: ScriptedReply): "end_turn" | "tool_use" {
  return reply.type === "text" ? "end_turn" : "tool_use";
}

/** The streamed events of one message carrying `reply`, in the order the real API sends them. */
function streamEvents(
  id: string,
  model: string,
  inputTokens: number,
  reply: ScriptedReply,
): [string, unknown][] {
  const outputTokens = estimateTokens(contentBlock(reply));
  const usage = {
    input_tokens: inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: 1,
  };
  const events: [string, unknown][] = [
    [
      "message_start",
      {
        type: "message_start",
        message: {
          id,
          type: "message",
          role: "assistant",
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage,
        },
      },
    ],
  ];
  if (reply.type === "text") {
    events.push([
      "content_block_start",
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    ]);
    events.push(["ping", { type: "ping" }]);
    for (const text of pieces(reply.text)) {
      events.push([
        "content_block_delta",
        { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } },
      ]);
    }
  } else {
    events.push([
      "content_block_start",
      {
        type: "content_block_start",
        index: 0,
        content_block: { type: "tool_use", id: reply.id, name: reply.name, input: {} },
      },
    ]);
    events.push(["ping", { type: "ping" }]);
    for (const partial_json of ["", ...pieces(JSON.stringify(reply.input))]) {
      events.push([
        "content_block_delta",
        {
          type: "content_block_delta",
          index: 0,
          delta: { type: "input_json_delta", partial_json },
        },
      ]);
    }
  }
  events.push(["content_block_stop", { type: "content_block_stop", index: 0 }]);
  events.push([
    "message_delta",
    {
      type: "message_delta",
      delta: { stop_reason: stopReason(reply), stop_sequence: null },
      usage: { output_tokens: outputTokens },
    },
  ]);
  events.push(["message_stop", { type: "message_stop" }]);
  return events;
}

export function startModelApi(): ModelApi {
  const script: ScriptedReply[] = [];
  const log = new WaitList<RecordedRequest>();
  const requests = log.items;
  let ids = 0;
  const nextId = (prefix: string) => `${prefix}_stand_in_${String(++ids).padStart(6, "0")}`;

  const record = (request: RecordedRequest) => log.push(request);

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      let body: unknown;
      try {
        const text = await req.text();
        body = text ? JSON.parse(text) : undefined;
      } catch {
        record({ method: req.method, path, body: undefined, main: false });
        return errorResponse(400, "invalid_request_error", "request body is not valid JSON");
      }

      if (req.method === "POST" && path === "/v1/messages/count_tokens") {
        record({ method: req.method, path, body, main: false });
        return Response.json({ input_tokens: estimateTokens(body) });
      }
      if (req.method !== "POST" || path !== "/v1/messages") {
        record({ method: req.method, path, body, main: false });
        return errorResponse(404, "not_found_error", `${req.method} ${path} is not served here`);
      }

      const main = items(body, "tools").length > 0;
      const format = field(body, "output_config", "format");
      const reply: ScriptedReply = (main && script.shift()) || {
        type: "text",
        text:
          field(format, "type") === "json_schema"
            ? JSON.stringify(fillSchema(field(format, "schema"), SIDE_REPLY))
            : DEFAULT_REPLY,
      };
      record({ method: req.method, path, body, main, reply });

      const id = nextId("msg");
      const asked = field(body, "model");
      const model = typeof asked === "string" ? asked : MODEL_DEFAULT;
      const inputTokens = estimateTokens(field(body, "messages"));
      if (field(body, "stream") !== true) {
        return Response.json({
          id,
          type: "message",
          role: "assistant",
          model,
          content: [contentBlock(reply)],
          stop_reason: stopReason(reply),
          stop_sequence: null,
          usage: {
            input_tokens: inputTokens,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
            output_tokens: estimateTokens(contentBlock(reply)),
          },
        });
      }
      const sse = streamEvents(id, model, inputTokens, reply)
        .map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
        .join("");
      return new Response(sse, {
        headers: {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-cache",
          "request-id": nextId("req"),
        },
      });
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    reply(text) {
      script.push({ type: "text", text });
    },
    replyToolUse({ name, input, id }) {
      const toolId = id ?? nextId("toolu");
      script.push({ type: "tool_use", id: toolId, name, input });
      return toolId;
    },
    get pending() {
      return script.length;
    },
    waitForRequest(match, timeoutMs = 15_000) {
      return log.waitFor(match, "a model request", timeoutMs, (requests) =>
        JSON.stringify(requests.map((r) => `${r.method} ${r.path}${r.main ? " (main)" : ""}`)),
      );
    },
    async stop() {
      await server.stop(true);
    },
  };
}
