// A stand-in for Google's Gemini API on a loopback port, for driving a real Gemini CLI
// (GEMINI_API_KEY, GOOGLE_GEMINI_BASE_URL) through real turns without the internet. It speaks the
// real protocol, as the @google/genai SDK inside the CLI calls it:
// `POST /v1beta/models/<model>:streamGenerateContent?alt=sse` answers with server-sent events,
// each a GenerateContentResponse (the text in pieces, or a functionCall part; the last chunk
// carries finishReason and usageMetadata); `:generateContent` with one GenerateContentResponse;
// `:countTokens` with an estimate. A request without the key (`x-goog-api-key`) gets the real
// 400 API_KEY_INVALID error body, any other path a 404 in the API's error shape.
//
// The replies of the main conversation (requests offering tools) are scripted by the test with
// `reply` and `replyFunctionCall`, in order; once the script is used up they are "OK". The
// requests Gemini CLI makes on its own leave the script alone: those asking for JSON
// (`generationConfig.responseJsonSchema` or `responseSchema`: its model router, its next-speaker
// check) get JSON of that schema, any other a short text. Every request is recorded.

import { field, items } from "./json.ts";
import { WaitList } from "./wait-list.ts";

/** The reply used when the script is empty, and for side requests. */
export const DEFAULT_REPLY = "OK";
/** The strings of a structured side reply. */
export const SIDE_REPLY = "Stand-in";

export type ScriptedReply =
  | { type: "text"; text: string }
  | { type: "function_call"; id: string; name: string; args: Record<string, unknown> };

export interface RecordedRequest {
  method: string;
  /** The path without its query (`?alt=sse`). */
  path: string;
  /** The model and method the path names (`gemini-2.5-flash`, `streamGenerateContent`). */
  model?: string;
  action?: string;
  /** The JSON body as sent (read it with `field`/`items` of ./json.ts, or `functionResponses`). */
  body: unknown;
  /** A request of the main conversation (it offers tools), answered from the script. */
  main: boolean;
  /** What it was answered with (undefined for countTokens, refusals and unknown paths). */
  reply?: ScriptedReply;
}

export interface GeminiApi {
  /** Base URL for GOOGLE_GEMINI_BASE_URL, e.g. http://127.0.0.1:43123 */
  url: string;
  /** The API key requests must carry (GEMINI_API_KEY). */
  key: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Queue a text reply (the turn ends) for the next main-conversation request. */
  reply(text: string): void;
  /** Queue a reply calling a function tool; returns the call's id. */
  replyFunctionCall(call: { name: string; args: Record<string, unknown>; id?: string }): string;
  /** Replies queued and not yet sent. */
  readonly pending: number;
  /** Resolve with the first request (received so far or later) matching `match`. */
  waitForRequest(
    match: (request: RecordedRequest) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedRequest>;
  stop(): Promise<void>;
}

/** The function results a request carries back (`functionResponse` parts of its contents). */
export function functionResponses(
  body: unknown,
): { id?: string; name: string; response: unknown }[] {
  const found: { id?: string; name: string; response: unknown }[] = [];
  for (const content of items(body, "contents")) {
    for (const part of items(content, "parts")) {
      const response = field(part, "functionResponse");
      if (!response) continue;
      const id = field(response, "id");
      found.push({
        ...(typeof id === "string" ? { id } : {}),
        name: String(field(response, "name")),
        response: field(response, "response"),
      });
    }
  }
  return found;
}

const PATH = /^\/v1(?:alpha|beta)?\/models\/([^:/]+):([A-Za-z]+)$/;

/** A rough token count (4 characters a token), enough for the usage Gemini CLI shows. */
function estimateTokens(value: unknown): number {
  return Math.max(1, Math.ceil(JSON.stringify(value ?? "").length / 4));
}

/** The API's error body (google.rpc.Status). */
function errorResponse(code: number, status: string, message: string, reason?: string): Response {
  const details = reason
    ? [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason, domain: "googleapis.com" }]
    : [];
  return Response.json({ error: { code, message, status, details } }, { status: code });
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
 * A value of `schema` (JSON Schema, or the API's Schema with upper-case types) with strings
 * `text`, enums their first value: the answer to a side request asking for JSON.
 */
function fillSchema(schema: unknown, text: string): unknown {
  const s = (schema ?? {}) as {
    type?: unknown;
    properties?: Record<string, unknown>;
    enum?: unknown[];
  };
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (typeof type === "string" ? type.toLowerCase() : type) {
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

/** The parts of the streamed chunks carrying `reply`, one chunk each. */
function replyParts(reply: ScriptedReply): Record<string, unknown>[] {
  return reply.type === "text"
    ? pieces(reply.text).map((text) => ({ text }))
    : [{ functionCall: { id: reply.id, name: reply.name, args: reply.args } }];
}

/** One GenerateContentResponse; the last of a stream has finishReason and the usage. */
function generateResponse(
  model: string,
  responseId: string,
  parts: Record<string, unknown>[],
  usage: { prompt: number; output: number } | undefined,
) {
  return {
    candidates: [
      {
        content: { role: "model", parts },
        ...(usage ? { finishReason: "STOP" } : {}),
        index: 0,
      },
    ],
    ...(usage
      ? {
          usageMetadata: {
            promptTokenCount: usage.prompt,
            candidatesTokenCount: usage.output,
            totalTokenCount: usage.prompt + usage.output,
          },
        }
      : {}),
    modelVersion: model,
    responseId,
  };
}

export function startGeminiApi(): GeminiApi {
  const key = `stand-in-gemini-key-${crypto.randomUUID()}`;
  const script: ScriptedReply[] = [];
  const log = new WaitList<RecordedRequest>();
  const requests = log.items;
  let ids = 0;
  const nextId = (prefix: string) => `${prefix}-stand-in-${String(++ids).padStart(6, "0")}`;

  const record = (request: RecordedRequest) => log.push(request);

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const path = url.pathname;
      const [, model, action] = PATH.exec(path) ?? [];
      const named = model && action ? { model, action } : {};
      let body: unknown;
      try {
        const text = await req.text();
        body = text ? JSON.parse(text) : undefined;
      } catch {
        record({ method: req.method, path, ...named, body: undefined, main: false });
        return errorResponse(400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
      }
      const refuse = (response: Response) => {
        record({ method: req.method, path, ...named, body, main: false });
        return response;
      };
      if (req.method !== "POST" || !model || !action) {
        return refuse(errorResponse(404, "NOT_FOUND", `${req.method} ${path} is not served here`));
      }
      const given = req.headers.get("x-goog-api-key") ?? url.searchParams.get("key");
      if (given !== key) {
        return refuse(
          errorResponse(
            400,
            "INVALID_ARGUMENT",
            "API key not valid. Please pass a valid API key.",
            "API_KEY_INVALID",
          ),
        );
      }
      if (action === "countTokens") {
        record({ method: req.method, path, ...named, body, main: false });
        return Response.json({ totalTokens: estimateTokens(field(body, "contents")) });
      }
      if (action !== "generateContent" && action !== "streamGenerateContent") {
        return refuse(errorResponse(404, "NOT_FOUND", `models.${action} is not served here`));
      }

      const main = items(body, "tools").length > 0;
      const schema =
        field(body, "generationConfig", "responseJsonSchema") ??
        field(body, "generationConfig", "responseSchema");
      const reply: ScriptedReply = (main && script.shift()) || {
        type: "text",
        text: schema ? JSON.stringify(fillSchema(schema, SIDE_REPLY)) : DEFAULT_REPLY,
      };
      record({ method: req.method, path, ...named, body, main, reply });

      const responseId = nextId("response");
      const usage = {
        prompt: estimateTokens(field(body, "contents")),
        output: estimateTokens(reply),
      };
      const parts = replyParts(reply);
      if (action === "generateContent") {
        const whole = reply.type === "text" ? [{ text: reply.text }] : parts;
        return Response.json(generateResponse(model, responseId, whole, usage));
      }
      const sse = parts
        .map((part, index) =>
          generateResponse(
            model,
            responseId,
            [part],
            index === parts.length - 1 ? usage : undefined,
          ),
        )
        .map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`)
        .join("");
      return new Response(sse, {
        headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
      });
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    key,
    requests,
    reply(text) {
      script.push({ type: "text", text });
    },
    replyFunctionCall({ name, args, id }) {
      const callId = id ?? nextId("call");
      script.push({ type: "function_call", id: callId, name, args });
      return callId;
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
