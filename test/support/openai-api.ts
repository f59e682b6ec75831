// A stand-in for OpenAI's Responses API on a loopback port, for driving a real Codex CLI (a
// custom model provider with `base_url` here and `wire_api = "responses"`) through real turns
// without the internet. It speaks the real protocol: `POST /v1/responses` (Codex always asks for
// `stream: true`) answers with the server-sent events of one response (response.created, response.in_progress,
// response.output_item.added, the text or function-call argument deltas and their .done events,
// response.output_item.done, response.completed); a request without the API key gets the real
// 401 error body. `POST /v1/chat/completions` speaks Chat Completions the same way, for clients
// of OpenAI-compatible providers (OpenCode's `@ai-sdk/openai-compatible`): chat.completion.chunk
// events with content or tool_calls deltas, a finish_reason, the usage chunk, then `[DONE]`
// (or one chat.completion object when `stream` is not set).
//
// The replies of the main conversation (requests offering tools) are scripted by the test with
// `reply` and `replyFunctionCall`, in order; once the script is used up they are "OK". The
// requests Codex makes on its own leave the script alone: its task title request (no tools, JSON
// asked for with `text.format`) gets JSON of that schema, any other such request a short text.
// Other paths get a 404. Every request is recorded in `requests`.

import { field, items } from "./json.ts";

/** The reply used when the script is empty, and for side requests. */
export const DEFAULT_REPLY = "OK";
/** The strings of a structured side reply (the task title Codex asks for). */
export const SIDE_REPLY = "Stand-in task";

export type ScriptedReply =
  | { type: "text"; text: string }
  | { type: "function_call"; callId: string; name: string; arguments: Record<string, unknown> };

export interface RecordedRequest {
  method: string;
  path: string;
  /** The JSON body as sent (read it with `field`/`items` of ./json.ts, or `functionOutputs`). */
  body: unknown;
  /** A request of the main conversation (it offers tools), answered from the script. */
  main: boolean;
  /** What it was answered with (undefined for refused requests and unknown paths). */
  reply?: ScriptedReply;
}

export interface OpenAiApi {
  /** Base URL, `/v1` included (Codex appends `/responses`, OpenCode `/chat/completions`). */
  url: string;
  /** The key requests must carry as `Authorization: Bearer …`. */
  key: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Queue a text reply (the turn ends) for the next main-conversation request. */
  reply(text: string): void;
  /** Queue a reply calling a function tool; returns its call_id. */
  replyFunctionCall(call: {
    name: string;
    arguments: Record<string, unknown>;
    callId?: string;
  }): string;
  /** Replies queued and not yet sent. */
  readonly pending: number;
  /** Resolve with the first request (received so far or later) matching `match`. */
  waitForRequest(
    match: (request: RecordedRequest) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedRequest>;
  stop(): Promise<void>;
}

/**
 * The outputs of function calls a request carries back: `function_call_output` items of the
 * Responses API, `tool` messages of Chat Completions.
 */
export function functionOutputs(body: unknown): { callId: string; output: string }[] {
  const text = (output: unknown) => (typeof output === "string" ? output : JSON.stringify(output));
  return [
    ...items(body, "input")
      .filter((item) => field(item, "type") === "function_call_output")
      .map((item) => ({
        callId: String(field(item, "call_id")),
        output: text(field(item, "output")),
      })),
    ...items(body, "messages")
      .filter((message) => field(message, "role") === "tool")
      .map((message) => ({
        callId: String(field(message, "tool_call_id")),
        output: text(field(message, "content")),
      })),
  ];
}

/** A rough token count (4 characters a token), enough for the usage Codex shows. */
function estimateTokens(value: unknown): number {
  return Math.max(1, Math.ceil(JSON.stringify(value ?? "").length / 4));
}

/** Split `text` into a few pieces, as a model streams it. */
function pieces(text: string, count = 3): string[] {
  if (text.length <= count) return [text];
  const size = Math.ceil(text.length / count);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** A value of JSON `schema` with every string `text`: the answer to a structured side request. */
function fillSchema(schema: unknown, text: string): unknown {
  const s = (schema ?? {}) as { type?: unknown; properties?: Record<string, unknown> };
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
    default:
      return text;
  }
}

/** The output item carrying `reply`, as the API reports it when it is done. */
function outputItem(itemId: string, reply: ScriptedReply) {
  return reply.type === "text"
    ? {
        id: itemId,
        type: "message",
        status: "completed",
        role: "assistant",
        content: [{ type: "output_text", text: reply.text, annotations: [] }],
      }
    : {
        id: itemId,
        type: "function_call",
        status: "completed",
        call_id: reply.callId,
        name: reply.name,
        arguments: JSON.stringify(reply.arguments),
      };
}

/** The streamed events of one response carrying `reply`, in the order the real API sends them. */
function streamEvents(
  ids: { response: string; item: string },
  model: string,
  inputTokens: number,
  reply: ScriptedReply,
): Record<string, unknown>[] {
  const done = outputItem(ids.item, reply);
  const base = { id: ids.response, object: "response", created_at: nowSeconds(), model };
  const at = { item_id: ids.item, output_index: 0 };
  const events: Record<string, unknown>[] = [
    { type: "response.created", response: { ...base, status: "in_progress", output: [] } },
    { type: "response.in_progress", response: { ...base, status: "in_progress", output: [] } },
  ];
  if (reply.type === "text") {
    const part = { type: "output_text", text: "", annotations: [] };
    events.push(
      {
        type: "response.output_item.added",
        output_index: 0,
        item: { ...done, status: "in_progress", content: [] },
      },
      { type: "response.content_part.added", ...at, content_index: 0, part },
      ...pieces(reply.text).map((delta) => ({
        type: "response.output_text.delta",
        ...at,
        content_index: 0,
        delta,
      })),
      { type: "response.output_text.done", ...at, content_index: 0, text: reply.text },
      {
        type: "response.content_part.done",
        ...at,
        content_index: 0,
        part: { ...part, text: reply.text },
      },
    );
  } else {
    const args = JSON.stringify(reply.arguments);
    events.push(
      {
        type: "response.output_item.added",
        output_index: 0,
        item: { ...done, status: "in_progress", arguments: "" },
      },
      ...pieces(args).map((delta) => ({
        type: "response.function_call_arguments.delta",
        ...at,
        delta,
      })),
      { type: "response.function_call_arguments.done", ...at, arguments: args },
    );
  }
  const outputTokens = estimateTokens(done);
  events.push(
    { type: "response.output_item.done", output_index: 0, item: done },
    {
      type: "response.completed",
      response: {
        ...base,
        status: "completed",
        output: [done],
        usage: {
          input_tokens: inputTokens,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: outputTokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: inputTokens + outputTokens,
        },
      },
    },
  );
  return events.map((event, sequence_number) => ({ ...event, sequence_number }));
}

/** The chat.completion.chunk events of one streamed Chat Completions reply carrying `reply`. */
function chatChunks(
  id: string,
  model: string,
  inputTokens: number,
  reply: ScriptedReply,
): Record<string, unknown>[] {
  const base = { id, object: "chat.completion.chunk", created: nowSeconds(), model };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const deltas =
    reply.type === "text"
      ? [
          chunk({ role: "assistant", content: "" }),
          ...pieces(reply.text).map((content) => chunk({ content })),
          chunk({}, "stop"),
        ]
      : [
          chunk({
            role: "assistant",
            content: null,
            tool_calls: [
              {
                index: 0,
                id: reply.callId,
                type: "function",
                function: { name: reply.name, arguments: "" },
              },
            ],
          }),
          ...pieces(JSON.stringify(reply.arguments)).map((args) =>
            chunk({ tool_calls: [{ index: 0, function: { arguments: args } }] }),
          ),
          chunk({}, "tool_calls"),
        ];
  const outputTokens = estimateTokens(reply);
  const usage = {
    prompt_tokens: inputTokens,
    completion_tokens: outputTokens,
    total_tokens: inputTokens + outputTokens,
  };
  return [...deltas, { ...base, choices: [], usage }];
}

/** The chat.completion object of one Chat Completions reply carrying `reply`, not streamed. */
function chatCompletion(id: string, model: string, inputTokens: number, reply: ScriptedReply) {
  const message =
    reply.type === "text"
      ? { role: "assistant", content: reply.text }
      : {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: reply.callId,
              type: "function",
              function: { name: reply.name, arguments: JSON.stringify(reply.arguments) },
            },
          ],
        };
  const outputTokens = estimateTokens(reply);
  return {
    id,
    object: "chat.completion",
    created: nowSeconds(),
    model,
    choices: [
      {
        index: 0,
        message,
        logprobs: null,
        finish_reason: reply.type === "text" ? "stop" : "tool_calls",
      },
    ],
    usage: {
      prompt_tokens: inputTokens,
      completion_tokens: outputTokens,
      total_tokens: inputTokens + outputTokens,
    },
  };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
};

function errorResponse(status: number, type: string, code: string, message: string): Response {
  return Response.json({ error: { message, type, param: null, code } }, { status });
}

export function startOpenAiApi(): OpenAiApi {
  const key = `sk-proj-opendray-stand-in-${crypto.randomUUID()}`;
  const script: ScriptedReply[] = [];
  const requests: RecordedRequest[] = [];
  const waiters = new Set<() => void>();
  let ids = 0;
  const nextId = (prefix: string) => `${prefix}_stand_in_${String(++ids).padStart(6, "0")}`;

  const record = (request: RecordedRequest) => {
    requests.push(request);
    for (const waiter of [...waiters]) waiter();
  };

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
        return errorResponse(400, "invalid_request_error", "invalid_json", "body is not JSON");
      }
      const served = path === "/v1/responses" || path === "/v1/chat/completions";
      if (req.method !== "POST" || !served) {
        record({ method: req.method, path, body, main: false });
        return errorResponse(404, "invalid_request_error", "not_found", `${path} is not served`);
      }
      if (req.headers.get("authorization") !== `Bearer ${key}`) {
        record({ method: req.method, path, body, main: false });
        return errorResponse(
          401,
          "invalid_request_error",
          "invalid_api_key",
          "Incorrect API key provided.",
        );
      }

      const main = items(body, "tools").length > 0;
      const chat = path === "/v1/chat/completions";
      const format = chat
        ? {
            type: field(body, "response_format", "type"),
            schema: field(body, "response_format", "json_schema", "schema"),
          }
        : {
            type: field(body, "text", "format", "type"),
            schema: field(body, "text", "format", "schema"),
          };
      const reply: ScriptedReply = (main && script.shift()) || {
        type: "text",
        text:
          format.type === "json_schema"
            ? JSON.stringify(fillSchema(format.schema, SIDE_REPLY))
            : DEFAULT_REPLY,
      };
      record({ method: req.method, path, body, main, reply });

      const asked = field(body, "model");
      const model = typeof asked === "string" ? asked : "gpt-5";
      if (chat) {
        const id = nextId("chatcmpl");
        const inputTokens = estimateTokens(field(body, "messages"));
        if (field(body, "stream") !== true) {
          return Response.json(chatCompletion(id, model, inputTokens, reply));
        }
        const sse = chatChunks(id, model, inputTokens, reply)
          .map((event) => `data: ${JSON.stringify(event)}\n\n`)
          .join("");
        return new Response(`${sse}data: [DONE]\n\n`, {
          headers: { ...SSE_HEADERS, "x-request-id": nextId("req") },
        });
      }
      const responseIds = { response: nextId("resp"), item: nextId("item") };
      const inputTokens = estimateTokens(field(body, "input"));
      const sse = streamEvents(responseIds, model, inputTokens, reply)
        .map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
        .join("");
      return new Response(sse, { headers: { ...SSE_HEADERS, "x-request-id": nextId("req") } });
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}/v1`,
    key,
    requests,
    reply(text) {
      script.push({ type: "text", text });
    },
    replyFunctionCall({ name, arguments: args, callId }) {
      const id = callId ?? nextId("call");
      script.push({ type: "function_call", callId: id, name, arguments: args });
      return id;
    },
    get pending() {
      return script.length;
    },
    waitForRequest(match, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const waiter = () => {
          const found = requests.find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `timed out waiting for a model request; got ${JSON.stringify(
                requests.map((r) => `${r.method} ${r.path}${r.main ? " (main)" : ""}`),
              )}`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
        waiter();
      });
    },
    async stop() {
      await server.stop(true);
    },
  };
}
