// Manifest validation (each kind of bad file names the file and field), the start-up loader's
// override and skip rules, and the built-ins as shipped.

import { describe, expect, test } from "bun:test";
import { BUILTIN_MANIFESTS } from "./builtin.ts";
import { loadManifests, ManifestError, parseManifest } from "./manifest.ts";

const minimal = { id: "tool", name: "Tool", executable: "tool" };

const complete = {
  $schema: "https://example.test/provider.schema.json",
  id: "my-tool",
  name: "My Tool",
  description: "A CLI for tests.",
  icon: "terminal",
  executable: "/opt/tool/bin/tool",
  args: ["--tui"],
  env: { TOOL_COLOR: "1" },
  install: { npm: "@example/tool", hint: "or download it from example.test" },
  capabilities: { images: true, mcp: true },
  bypass: "--yes",
  model: { flag: "--model", style: "equals" },
  resume: {
    lastInCwd: ["--continue"],
    pinSession: { flag: "--session-id" },
    resumeSession: { flag: "resume" },
  },
  fields: [
    { key: "dir", label: "Directory", type: "string", flag: "--dir", default: "." },
    {
      key: "turns",
      label: "Turns",
      type: "number",
      flag: "--turns",
      min: 1,
      max: 9,
      integer: true,
    },
    { key: "quiet", label: "Quiet", type: "boolean", env: "TOOL_QUIET" },
    {
      key: "mode",
      label: "Mode",
      type: "select",
      flag: "--mode",
      options: ["a", "b"],
      default: "a",
    },
    { key: "token", label: "Token", type: "secret", env: "TOOL_TOKEN" },
    { key: "extra", label: "Extra", type: "args" },
  ],
};

function errorOf(json: unknown, source = "tool.json"): string {
  try {
    parseManifest(json, source);
  } catch (error) {
    if (error instanceof ManifestError) return error.message;
    throw error;
  }
  throw new Error("expected a ManifestError");
}

describe("parseManifest", () => {
  test("accepts a complete manifest and fills capabilities.resume from its resume block", () => {
    const manifest = parseManifest(complete, "tool.json");
    expect(manifest.id).toBe("my-tool");
    expect(manifest.capabilities).toEqual({ resume: true, images: true, mcp: true });
    expect(manifest.fields.map((field) => field.type)).toEqual([
      "string",
      "number",
      "boolean",
      "select",
      "secret",
      "args",
    ]);
    expect("$schema" in manifest).toBe(false);
  });

  test("fills the defaults of a minimal manifest", () => {
    expect(parseManifest(minimal, "tool.json")).toEqual({
      ...minimal,
      description: "",
      args: [],
      env: {},
      capabilities: { resume: false, images: false, mcp: false },
      fields: [],
      attention: { prompts: [] },
    });
  });

  test("returns a deeply frozen manifest", () => {
    const manifest = parseManifest(complete, "tool.json");
    expect(Object.isFrozen(manifest)).toBe(true);
    expect(Object.isFrozen(manifest.fields[0])).toBe(true);
    expect(Object.isFrozen(manifest.resume?.lastInCwd)).toBe(true);
  });

  test.each([
    ["a document that is not an object", [], "tool.json: (root): must be an object"],
    ["a missing id", { name: "Tool", executable: "tool" }, "tool.json: id: is required"],
    [
      "an id with capitals",
      { ...minimal, id: "Tool" },
      "tool.json: id: must be a lowercase letter",
    ],
    ["an id too long", { ...minimal, id: `t${"x".repeat(32)}` }, "tool.json: id: must be"],
    ["an id of the wrong type", { ...minimal, id: 7 }, "tool.json: id: must be a string"],
    ["an unknown key", { ...minimal, exectuable: "x" }, "tool.json: exectuable: unknown key"],
    ["a relative executable", { ...minimal, executable: "./bin/tool" }, "tool.json: executable:"],
    [
      "a bad env name",
      { ...minimal, env: { "A-B": "1" } },
      "tool.json: env.A-B: key must be an environment variable name",
    ],
    [
      "a bypass that is no flag",
      { ...minimal, bypass: "yes" },
      "tool.json: bypass: must be a flag",
    ],
    [
      "two fields with one key",
      {
        ...minimal,
        fields: [
          { key: "k", label: "K", type: "boolean", flag: "--a" },
          { key: "k", label: "K", type: "boolean", flag: "--b" },
        ],
      },
      'tool.json: fields[1].key: "k" is used twice',
    ],
    [
      "resume capability without a resume block",
      { ...minimal, capabilities: { resume: true } },
      "tool.json: capabilities.resume: is true but the manifest has no resume block",
    ],
  ])("rejects %s, naming the file and field", (_, json, expected) => {
    const message = errorOf(json);
    expect(message.startsWith(expected)).toBe(true);
    expect(message).not.toContain("\n");
  });

  // A manifest's one field, { key: "k", label: "K", ...what the row gives }.
  test.each([
    [
      "an unknown type",
      { type: "color", flag: "--c" },
      "type: must be one of string, number, boolean, select, secret, args",
    ],
    [
      "flag and env",
      { type: "string", flag: "--k", env: "K" },
      "env: set exactly one of flag or env",
    ],
    ["neither flag nor env", { type: "boolean" }, "flag: set exactly one of flag or env"],
    ["a select without options", { type: "select", flag: "--k" }, "options: is required"],
    [
      "a select with no options",
      { type: "select", flag: "--k", options: [] },
      "options: must list at least one option",
    ],
    [
      "a select default outside its options",
      { type: "select", flag: "--k", options: ["a"], default: "b" },
      "default: is not one of the options",
    ],
    [
      "a secret mapped to a flag",
      { type: "secret", flag: "--key" },
      "flag: a secret cannot be a flag; use env",
    ],
    ["an args field mapped to env", { type: "args", env: "ARGS" }, "env: an args field is argv"],
    [
      "a style without a flag",
      { type: "string", env: "K", style: "equals" },
      "style: applies only to a flag",
    ],
    [
      "a number default out of bounds",
      { type: "number", flag: "--k", min: 1, max: 3, default: 5 },
      "default: is outside",
    ],
  ])("rejects a field with %s, naming it", (_, field, expected) => {
    const message = errorOf({ ...minimal, fields: [{ key: "k", label: "K", ...field }] });
    expect(message).toStartWith(`tool.json: fields[0].${expected}`);
    expect(message).not.toContain("\n");
  });

  test("lists every problem on one line", () => {
    expect(errorOf({ id: "Bad", executable: "./x" })).toBe(
      "tool.json: id: must be a lowercase letter then up to 31 lowercase letters, digits or -; " +
        "name: is required; " +
        'executable: must be "$SHELL", an absolute path, or a command name looked up on PATH',
    );
  });
});

describe("loadManifests", () => {
  const builtins = [
    parseManifest({ ...minimal, id: "shell", executable: "$SHELL" }, "builtin/shell.json"),
    parseManifest({ ...minimal, id: "claude", executable: "claude" }, "builtin/claude.json"),
  ];
  const dir = "/data/providers";

  function load(files: Record<string, string | Error>) {
    return loadManifests({
      builtins,
      dir,
      readDir: () => Object.keys(files),
      readFile: (path) => {
        const content = files[path.slice(dir.length + 1)];
        if (content === undefined) throw new Error(`unexpected read of ${path}`);
        if (content instanceof Error) throw content;
        return content;
      },
    });
  }
  const json = (value: unknown) => JSON.stringify(value);

  test.each([
    ["keeps the built-ins when the directory does not exist", "ENOENT", []],
    [
      "reports a directory it cannot list and keeps the built-ins",
      "EACCES",
      ["/data/providers: cannot list (EACCES)"],
    ],
  ])("%s", (_, code, errors) => {
    const result = loadManifests({
      builtins,
      dir,
      readDir: () => {
        throw Object.assign(new Error(`readdir failed: ${code}`), { code });
      },
    });
    expect([...result.manifests.keys()]).toEqual(["shell", "claude"]);
    expect(result.errors).toEqual(errors);
  });

  test("an operator file overrides a built-in by id, in place, as a whole", () => {
    const result = load({
      "mine.json": json({ id: "claude", name: "Claude (pinned)", executable: "/opt/claude" }),
    });
    expect([...result.manifests.keys()]).toEqual(["shell", "claude"]);
    expect(result.manifests.get("claude")?.name).toBe("Claude (pinned)");
    expect(result.manifests.get("claude")?.executable).toBe("/opt/claude");
    expect(result.errors).toEqual([]);
  });

  test("an operator file adds a provider after the built-ins", () => {
    const result = load({
      "aider.json": json({ id: "aider", name: "Aider", executable: "aider" }),
    });
    expect([...result.manifests.keys()]).toEqual(["shell", "claude", "aider"]);
  });

  test("reads only *.json files that are not hidden", () => {
    const result = load({
      "README.md": "not read",
      ".draft.json": "not read",
      "aider.json": json({ id: "aider", name: "Aider", executable: "aider" }),
    });
    expect([...result.manifests.keys()]).toEqual(["shell", "claude", "aider"]);
    expect(result.errors).toEqual([]);
  });

  test.each([
    [
      "a file it cannot read",
      Object.assign(new Error("denied"), { code: "EACCES" }),
      "/data/providers/bad.json: cannot read (EACCES)",
    ],
    [
      "a file that is not JSON",
      "{ id: claude",
      "/data/providers/bad.json: (root): not valid JSON (",
    ],
    [
      "a file that fails the schema",
      json({ id: "claude", executable: "claude" }),
      "/data/providers/bad.json: name: is required",
    ],
  ])("reports and skips %s, keeping the built-in", (_, content, expected) => {
    const result = load({
      "bad.json": content,
      "good.json": json({ id: "aider", name: "Aider", executable: "aider" }),
    });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.startsWith(expected)).toBe(true);
    expect(result.manifests.get("claude")?.name).toBe("Tool");
    expect(result.manifests.has("aider")).toBe(true);
  });

  test("skips every operator file of an id declared twice, reporting each", () => {
    const result = load({
      "a.json": json({ id: "claude", name: "A", executable: "a" }),
      "b.json": json({ id: "claude", name: "B", executable: "b" }),
    });
    expect(result.manifests.get("claude")?.name).toBe("Tool");
    expect(result.errors).toEqual([
      '/data/providers/a.json: id: "claude" is also declared by /data/providers/b.json; all skipped',
      '/data/providers/b.json: id: "claude" is also declared by /data/providers/a.json; all skipped',
    ]);
  });
});

describe("BUILTIN_MANIFESTS", () => {
  test("are shell, claude, codex, gemini and opencode, in that order", () => {
    expect(BUILTIN_MANIFESTS.map((manifest) => manifest.id)).toEqual([
      "shell",
      "claude",
      "codex",
      "gemini",
      "opencode",
    ]);
  });

  test.each([
    ["shell", "$SHELL", null, null],
    ["claude", "claude", "@anthropic-ai/claude-code", "--dangerously-skip-permissions"],
    ["codex", "codex", "@openai/codex", "--dangerously-bypass-approvals-and-sandbox"],
    ["gemini", "gemini", "@google/gemini-cli", "--yolo"],
    ["opencode", "opencode", "opencode-ai", "--auto"],
  ])("%s runs %s, installs from npm %s, bypasses with %s", (id, executable, npm, bypass) => {
    const manifest = BUILTIN_MANIFESTS.find((candidate) => candidate.id === id);
    expect(manifest?.executable).toBe(executable);
    expect(manifest?.install?.npm ?? null).toBe(npm);
    expect(manifest?.bypass ?? null).toBe(bypass);
  });

  test("the shell is a login shell with no resume, model or settings", () => {
    const shell = BUILTIN_MANIFESTS[0];
    expect(shell?.args).toEqual(["-l"]);
    expect(shell?.resume).toBeUndefined();
    expect(shell?.model).toBeUndefined();
    expect(shell?.fields).toEqual([]);
  });

  test("are frozen", () => {
    expect(Object.isFrozen(BUILTIN_MANIFESTS)).toBe(true);
    expect(BUILTIN_MANIFESTS.every((manifest) => Object.isFrozen(manifest))).toBe(true);
  });
});
