// Argument and environment building for each built-in and for a fake manifest with every field
// type, and real spawns proving that values with spaces and quotes arrive as single argv entries.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppError } from "../errors.ts";
import { BUILTIN_MANIFESTS } from "./builtin.ts";
import { buildLaunch, type LaunchRequest } from "./launch.ts";
import { type ProviderManifest, parseManifest } from "./manifest.ts";

const SHELL = "/bin/zsh";
const UUID = "123e4567-e89b-42d3-a456-426614174000";

function builtin(id: string): ProviderManifest {
  const manifest = BUILTIN_MANIFESTS.find((candidate) => candidate.id === id);
  if (!manifest) throw new Error(`no built-in ${id}`);
  return manifest;
}

function argsOf(id: string, request: Partial<LaunchRequest>): string[] {
  return buildLaunch(builtin(id), { shell: SHELL, ...request }).args;
}

function appErrorOf(run: () => unknown): { status: number; code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) {
      return { status: error.status, code: error.code, message: error.message };
    }
    throw error;
  }
  throw new Error("expected an AppError");
}

const pin = { sessionId: UUID, mode: "pin" } as const;
const resumeById = { sessionId: UUID, mode: "resume" } as const;

type Row = [string, Partial<LaunchRequest>, string[]];

/** One test a row: the arguments `id` is started with for the row's request. */
function argvCases(id: string, rows: Row[]) {
  test.each<Row>(rows)("%s", (_, request, expected) => {
    expect(argsOf(id, request)).toEqual(expected);
  });
}

test.each(["claude", "codex", "gemini", "opencode"])(
  "%s adds nothing when nothing extra is asked, bypass off included",
  (id) => {
    expect(argsOf(id, {})).toEqual([]);
    expect(argsOf(id, { bypass: false })).toEqual([]);
  },
);

describe("claude", () => {
  argvCases("claude", [
    ["bypass on", { bypass: true }, ["--dangerously-skip-permissions"]],
    ["a model", { model: "opus" }, ["--model", "opus"]],
    ["resume last in cwd", { resume: "last" }, ["--continue"]],
    ["a pinned conversation id", { resume: pin }, ["--session-id", UUID]],
    ["a resumed conversation id", { resume: resumeById }, ["--resume", UUID]],
    [
      "config flags, in field order",
      { config: { verbose: true, addDir: "/srv/other dir", permissionMode: "plan" } },
      ["--permission-mode", "plan", "--add-dir", "/srv/other dir", "--verbose"],
    ],
    ["a false boolean", { config: { verbose: false } }, []],
    ["extra args, as given", { config: { extraArgs: ["--debug", "api"] } }, ["--debug", "api"]],
    [
      "everything, in order, bypass last",
      {
        config: { permissionMode: "plan" },
        model: "opus",
        resume: pin,
        args: ["fix the bug"],
        bypass: true,
      },
      [
        "--permission-mode",
        "plan",
        "--model",
        "opus",
        "--session-id",
        UUID,
        "fix the bug",
        "--dangerously-skip-permissions",
      ],
    ],
    [
      "the bypass flag already in the session args",
      { bypass: true, args: ["--dangerously-skip-permissions"] },
      ["--dangerously-skip-permissions"],
    ],
    [
      "a model the session args set",
      { model: "opus", args: ["--model", "haiku"] },
      ["--model", "haiku"],
    ],
    [
      "a model the session args set with =",
      { model: "opus", args: ["--model=haiku"] },
      ["--model=haiku"],
    ],
    [
      "a config flag the session args set",
      { config: { permissionMode: "plan" }, args: ["--permission-mode", "acceptEdits"] },
      ["--permission-mode", "acceptEdits"],
    ],
    [
      "a config boolean the session args set",
      { config: { verbose: true }, args: ["--verbose"] },
      ["--verbose"],
    ],
    ["resume last the session args set", { resume: "last", args: ["--continue"] }, ["--continue"]],
  ]);

  test("runs claude, with the API key and self-update switch only in the environment", () => {
    const launch = buildLaunch(builtin("claude"), {
      shell: SHELL,
      config: { disableAutoupdater: true },
      secrets: { apiKey: "sk-ant-secret" },
    });
    expect(launch.file).toBe("claude");
    expect(launch.args).toEqual([]);
    expect(launch.env.ANTHROPIC_API_KEY).toBe("sk-ant-secret");
    expect(launch.env.DISABLE_AUTOUPDATER).toBe("1");
  });
});

describe("codex", () => {
  argvCases("codex", [
    ["bypass on", { bypass: true }, ["--dangerously-bypass-approvals-and-sandbox"]],
    ["a model", { model: "gpt-5-codex" }, ["--model", "gpt-5-codex"]],
    ["resume last in cwd", { resume: "last" }, ["resume", "--last"]],
    ["a resumed conversation id", { resume: resumeById }, ["resume", UUID]],
    [
      "config flags, in field order",
      { config: { search: true, profile: "work", sandbox: "workspace-write" } },
      ["--sandbox", "workspace-write", "--profile", "work", "--search"],
    ],
    [
      "everything, in order, bypass last",
      { config: { sandbox: "read-only" }, model: "o3", resume: "last", bypass: true },
      [
        "--sandbox",
        "read-only",
        "--model",
        "o3",
        "resume",
        "--last",
        "--dangerously-bypass-approvals-and-sandbox",
      ],
    ],
    [
      "the bypass flag already in the session args",
      { bypass: true, args: ["--dangerously-bypass-approvals-and-sandbox"] },
      ["--dangerously-bypass-approvals-and-sandbox"],
    ],
    [
      "a config flag the session args set",
      { config: { sandbox: "read-only" }, args: ["--sandbox=danger-full-access"] },
      ["--sandbox=danger-full-access"],
    ],
  ]);
});

describe("gemini", () => {
  argvCases("gemini", [
    ["bypass on", { bypass: true }, ["--yolo"]],
    ["a model", { model: "gemini-2.5-pro" }, ["--model", "gemini-2.5-pro"]],
    ["resume last in cwd", { resume: "last" }, ["--resume", "latest"]],
    ["a resumed conversation id", { resume: resumeById }, ["--resume", UUID]],
    [
      "config flags, in field order",
      { config: { includeDirectories: "../lib,../docs", sandbox: true } },
      ["--sandbox", "--include-directories", "../lib,../docs"],
    ],
    [
      "everything, in order, bypass last",
      { config: { sandbox: true }, model: "flash", resume: "last", args: ["-d"], bypass: true },
      ["--sandbox", "--model", "flash", "--resume", "latest", "-d", "--yolo"],
    ],
    ["the bypass flag already in the session args", { bypass: true, args: ["--yolo"] }, ["--yolo"]],
    [
      "resume last the session args set",
      { resume: "last", args: ["--resume", "3"] },
      ["--resume", "3"],
    ],
  ]);
});

describe("opencode", () => {
  argvCases("opencode", [
    ["bypass on", { bypass: true }, ["--auto"]],
    ["a model", { model: "anthropic/claude-sonnet-4" }, ["--model", "anthropic/claude-sonnet-4"]],
    ["resume last in cwd", { resume: "last" }, ["--continue"]],
    [
      "a resumed conversation id",
      { resume: { sessionId: "ses_4f2a9c", mode: "resume" } },
      ["--session", "ses_4f2a9c"],
    ],
    ["config flags", { config: { agent: "plan" } }, ["--agent", "plan"]],
    [
      "everything, in order, bypass last",
      { config: { agent: "build" }, model: "openai/o3", resume: "last", bypass: true },
      ["--agent", "build", "--model", "openai/o3", "--continue", "--auto"],
    ],
    ["the bypass flag already in the session args", { bypass: true, args: ["--auto"] }, ["--auto"]],
  ]);

  test("passes provider keys only through the environment", () => {
    const launch = buildLaunch(builtin("opencode"), {
      shell: SHELL,
      secrets: { anthropicApiKey: "sk-ant", openaiApiKey: "sk-oai" },
    });
    expect(launch.args).toEqual([]);
    expect(launch.env.ANTHROPIC_API_KEY).toBe("sk-ant");
    expect(launch.env.OPENAI_API_KEY).toBe("sk-oai");
  });
});

describe("shell", () => {
  argvCases("shell", [
    ["nothing extra", {}, ["-l"]],
    ["bypass on, which a shell does not have", { bypass: true }, ["-l"]],
    ["session args after -l", { args: ["-c", "echo hi"] }, ["-l", "-c", "echo hi"]],
  ]);

  test("runs the login shell given at launch, whatever executable detection found", () => {
    const launch = buildLaunch(builtin("shell"), { shell: "/usr/bin/fish", executable: "/bin/sh" });
    expect(launch.file).toBe("/usr/bin/fish");
  });
});

describe("unsupported requests", () => {
  test.each<[string, string, Partial<LaunchRequest>, string]>([
    ["a model for the shell", "shell", { model: "opus" }, "model_invalid"],
    ["resume last for the shell", "shell", { resume: "last" }, "resume_invalid"],
    ["pinning an id in codex", "codex", { resume: pin }, "resume_invalid"],
    ["pinning an id in gemini", "gemini", { resume: pin }, "resume_invalid"],
    ["pinning an id in opencode", "opencode", { resume: pin }, "resume_invalid"],
  ])("%s is a 400 %s", (_, id, request, code) => {
    const error = appErrorOf(() => argsOf(id, request));
    expect(error.status).toBe(400);
    expect(error.code).toBe(code);
  });
});

describe("invalid values", () => {
  /** Claude refuses `request` with 400 `code`, its message starting with `message`. */
  const expectRefused = (request: Partial<LaunchRequest>, code: string, message: string) => {
    const error = appErrorOf(() => argsOf("claude", request));
    expect(error).toMatchObject({ status: 400, code });
    expect(error.message.startsWith(message)).toBe(true);
  };

  test.each<[string, Partial<LaunchRequest>, string]>([
    [
      "an unknown config key",
      { config: { colour: "red" } },
      'config.colour is not a setting of provider "claude"',
    ],
    ["a secret in config", { config: { apiKey: "sk" } }, "config.apiKey is a secret"],
    ["a non-secret in secrets", { secrets: { verbose: "1" } }, "secrets.verbose is not a secret"],
    [
      "a boolean as a string",
      { config: { verbose: "yes" } },
      "config.verbose must be true or false",
    ],
    [
      "a select value not offered",
      { config: { permissionMode: "yolo" } },
      "config.permissionMode must be one of default, acceptEdits, plan",
    ],
    ["a string as a number", { config: { addDir: 42 } }, "config.addDir must be a string"],
    [
      "args as a string",
      { config: { extraArgs: "--debug" } },
      "config.extraArgs must be a list of strings",
    ],
    [
      "args with a number",
      { config: { extraArgs: [1] } },
      "config.extraArgs must be a list of strings",
    ],
    [
      "a flag value that reads as a flag",
      { config: { addDir: "--dangerously-skip-permissions" } },
      'config.addDir must not start with "-"',
    ],
    ["a value with NUL", { config: { addDir: "a\0b" } }, "config.addDir must not contain NUL"],
  ])("%s is a 400 config_invalid", (_, request, message) => {
    expectRefused(request, "config_invalid", message);
  });

  test.each<[string, Partial<LaunchRequest>, string, string]>([
    [
      "a model that reads as a flag",
      { model: "--yolo" },
      "model_invalid",
      'model must not start with "-"',
    ],
    [
      "a session id that reads as a flag",
      { resume: { sessionId: "--yolo", mode: "resume" } },
      "resume_invalid",
      "sessionId must be",
    ],
    [
      "a bad request env name",
      { requestEnv: { "BAD-NAME": "1" } },
      "env_invalid",
      'environment variable "BAD-NAME" is invalid',
    ],
    [
      "a request env value with NUL",
      { requestEnv: { OK: "a\0b" } },
      "env_invalid",
      'environment variable "OK" is invalid',
    ],
  ])("%s is a 400 %s", (_, request, code, message) => {
    expectRefused(request, code, message);
  });
});

/** A manifest with every field type, mapped every way. */
const tool = parseManifest(
  {
    id: "tool",
    name: "Tool",
    executable: "tool",
    args: ["--tui"],
    env: { TOOL_MODE: "manifest", SHARED: "manifest" },
    bypass: "--yes",
    model: { flag: "--model", style: "equals" },
    fields: [
      { key: "tui", label: "TUI", type: "boolean", flag: "--tui" },
      {
        key: "turns",
        label: "Turns",
        type: "number",
        flag: "--max-turns",
        min: 1,
        max: 50,
        integer: true,
      },
      { key: "ratio", label: "Ratio", type: "number", flag: "--ratio", style: "equals" },
      {
        key: "color",
        label: "Color",
        type: "select",
        flag: "--color",
        options: ["auto", "never"],
        default: "auto",
      },
      { key: "region", label: "Region", type: "string", env: "TOOL_REGION" },
      { key: "quiet", label: "Quiet", type: "boolean", env: "TOOL_QUIET" },
      { key: "token", label: "Token", type: "secret", env: "TOOL_TOKEN" },
      { key: "dirs", label: "Dirs", type: "args", flag: "--add-dir" },
    ],
  },
  "tool.json",
);

function toolLaunch(request: Partial<LaunchRequest>) {
  return buildLaunch(tool, { shell: SHELL, ...request });
}

describe("a manifest with every field type", () => {
  test.each<Row>([
    ["defaults", {}, ["--tui", "--color", "auto"]],
    ["null as the default", { config: { color: null } }, ["--tui", "--color", "auto"]],
    [
      "a boolean already in the manifest args",
      { config: { tui: true } },
      ["--tui", "--color", "auto"],
    ],
    [
      "numbers, separate and with =",
      { config: { turns: 5, ratio: 0.5 } },
      ["--tui", "--max-turns", "5", "--ratio=0.5", "--color", "auto"],
    ],
    ["a model with =", { model: "big one" }, ["--tui", "--color", "auto", "--model=big one"]],
    [
      "a model with = that starts with -",
      { model: "-x" },
      ["--tui", "--color", "auto", "--model=-x"],
    ],
    [
      "a repeatable flag for each args entry",
      { config: { dirs: ["a b", "c"] } },
      ["--tui", "--color", "auto", "--add-dir", "a b", "--add-dir", "c"],
    ],
    [
      "env-mapped fields kept out of argv",
      { config: { region: "eu", quiet: true } },
      ["--tui", "--color", "auto"],
    ],
  ])("%s", (_, request, expected) => {
    expect(toolLaunch(request).args).toEqual(expected);
  });

  test.each<[string, unknown, string]>([
    ["a string", "7", "config.turns must be a number"],
    ["a fraction", 1.5, "config.turns must be an integer"],
    ["below min", 0, "config.turns must be ≥ 1"],
    ["above max", 51, "config.turns must be ≤ 50"],
    ["not finite", Number.POSITIVE_INFINITY, "config.turns must be a number"],
  ])("rejects a number that is %s", (_, turns, message) => {
    expect(appErrorOf(() => toolLaunch({ config: { turns } }))).toEqual({
      status: 400,
      code: "config_invalid",
      message,
    });
  });

  test("merges the environment: base < manifest < config < secrets < request", () => {
    const { env } = toolLaunch({
      baseEnv: {
        HOME: "/home/u",
        TOOL_MODE: "base",
        TOOL_REGION: "base",
        TOOL_TOKEN: "base",
        TOOL_QUIET: "1",
        SHARED: "base",
      },
      config: { region: "eu", quiet: false },
      secrets: { token: "s3cret" },
      requestEnv: { SHARED: "request" },
    });
    expect(env).toMatchObject({
      HOME: "/home/u",
      TOOL_MODE: "manifest",
      TOOL_REGION: "eu",
      TOOL_TOKEN: "s3cret",
      SHARED: "request",
    });
    expect("TOOL_QUIET" in env).toBe(false);
  });

  test("the request env wins over a secret", () => {
    const { env } = toolLaunch({
      secrets: { token: "s3cret" },
      requestEnv: { TOOL_TOKEN: "mine" },
    });
    expect(env.TOOL_TOKEN).toBe("mine");
  });

  test("a secret never appears in argv", () => {
    const launch = toolLaunch({ secrets: { token: "s3cret" }, args: ["x"] });
    expect(launch.args.join(" ")).not.toContain("s3cret");
  });

  test("forces TERM and COLORTERM over every layer", () => {
    const { env } = toolLaunch({
      baseEnv: { TERM: "dumb", COLORTERM: "no" },
      requestEnv: { TERM: "vt100" },
    });
    expect(env.TERM).toBe("xterm-256color");
    expect(env.COLORTERM).toBe("truecolor");
  });

  test.each<[string, Record<string, string>, Record<string, string>, string | undefined]>([
    ["no locale at all", {}, {}, "C.UTF-8"],
    ["LANG inherited", { LANG: "de_DE.UTF-8" }, {}, "de_DE.UTF-8"],
    ["LC_ALL inherited", { LC_ALL: "fr_FR.UTF-8" }, {}, undefined],
    ["LC_CTYPE inherited", { LC_CTYPE: "ja_JP.UTF-8" }, {}, undefined],
    ["LANG requested", {}, { LANG: "pt_BR.UTF-8" }, "pt_BR.UTF-8"],
  ])("sets LANG only when no locale is set: %s", (_, baseEnv, requestEnv, lang) => {
    expect(toolLaunch({ baseEnv, requestEnv }).env.LANG).toBe(lang);
  });
});

describe("spawning the launch", () => {
  let dir = "";
  /** Prints each argv entry followed by NUL, so the test sees exact entries, newlines included. */
  let argvScript = "";

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "opendray-launch-"));
    argvScript = join(dir, "print-argv");
    writeFileSync(
      argvScript,
      "#!/bin/bash\nprintf '%s\\0' \"$@\"\nprintf 'TOKEN=%s' \"$TOOL_TOKEN\"\n",
    );
    chmodSync(argvScript, 0o755);
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const baseEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

  async function run(file: string, args: string[], env: Record<string, string>): Promise<string> {
    const child = Bun.spawn([file, ...args], { env, stdout: "pipe", stderr: "inherit" });
    const output = await new Response(child.stdout).text();
    expect(await child.exited).toBe(0);
    return output;
  }

  function argvOf(output: string): string[] {
    return output.split("\0").slice(0, -1);
  }

  const tricky = [
    "fix the bug in 'src/a b.ts'",
    'say "hi" & echo $HOME; rm -rf ~',
    "`whoami` $(id) *.ts | tee out",
    "two\nlines",
  ];

  test.each<[string, Partial<LaunchRequest>]>([
    ["shell", { args: tricky }],
    [
      "claude",
      {
        config: {
          addDir: "/tmp/my dir/$HOME",
          extraArgs: ["--append-system-prompt", 'be "terse"'],
        },
        model: "claude opus 'quoted'",
        resume: pin,
        args: tricky,
        bypass: true,
      },
    ],
    [
      "codex",
      {
        config: { profile: "my profile" },
        model: 'gpt "5"',
        resume: "last",
        args: tricky,
        bypass: true,
      },
    ],
    [
      "gemini",
      {
        config: { includeDirectories: "a dir,b dir" },
        model: "gemini pro",
        args: tricky,
        bypass: true,
      },
    ],
    [
      "opencode",
      {
        config: { agent: "my agent" },
        model: "anthropic/claude sonnet",
        args: tricky,
        bypass: true,
      },
    ],
  ])("%s: every value arrives as one argv entry, unchanged", async (id, request) => {
    const launch = buildLaunch(builtin(id), {
      shell: argvScript,
      executable: argvScript,
      baseEnv,
      ...request,
    });
    expect(launch.file).toBe(argvScript);
    const output = await run(launch.file, launch.args, launch.env);
    expect(argvOf(output)).toEqual(launch.args);
    for (const value of tricky) expect(argvOf(output)).toContain(value);
  });

  test("printf receives each value as its own argument", async () => {
    const printf = parseManifest(
      {
        id: "printf",
        name: "printf",
        executable: "/usr/bin/printf",
        args: ["<%s>"],
        model: { flag: "--model" },
        fields: [{ key: "name", label: "Name", type: "string", flag: "--name" }],
      },
      "printf.json",
    );
    const launch = buildLaunch(printf, {
      shell: SHELL,
      baseEnv,
      config: { name: 'it\'s "quoted"' },
      model: "a b  c",
      args: ["$HOME", "*", "x;y"],
    });
    expect(await run(launch.file, launch.args, launch.env)).toBe(
      `<--name><it's "quoted"><--model><a b  c><$HOME><*><x;y>`,
    );
  });

  test("a secret reaches the child through its environment", async () => {
    const launch = toolLaunch({ executable: argvScript, baseEnv, secrets: { token: "s3 cr'et" } });
    const output = await run(launch.file, launch.args, launch.env);
    expect(output.endsWith("TOKEN=s3 cr'et")).toBe(true);
    expect(argvOf(output)).not.toContain("s3 cr'et");
  });
});
