// The dependency rules of STYLE.md, checked on the import graph of src/ and web/.

import { expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(import.meta.dir, "..");

function sourceFiles(dir: string): string[] {
  let files: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files = files.concat(sourceFiles(path));
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) files.push(path);
  }
  return files;
}

const files = sourceFiles(join(ROOT, "src")).map((path) => {
  const text = readFileSync(path, "utf8");
  const imports = [...text.matchAll(/(?:import|export)[^"']*?from\s+["']([^"']+)["']/g)].map(
    (match) => match[1] ?? "",
  );
  return { path: relative(ROOT, path), text, imports };
});

test("protocol/ is pure: it imports nothing but itself and zod/mini (its schemas)", () => {
  for (const file of files.filter((f) => f.path.startsWith("src/protocol/"))) {
    for (const specifier of file.imports)
      expect(`${file.path} → ${specifier}`).toMatch(/→ (\.\/[\w-]+\.ts|zod\/mini)$/);
  }
});

test("every type protocol/ exports is inferred from a schema beside it", () => {
  const missing: string[] = [];
  for (const file of files.filter((f) => f.path.startsWith("src/protocol/"))) {
    for (const [, name = ""] of file.text.matchAll(/^export (?:type|interface) (\w+)/gm)) {
      const schema = `${name[0]?.toLowerCase()}${name.slice(1)}Schema`;
      const inferred = `export type ${name} = z.infer<typeof ${schema}>;`;
      if (!file.text.includes(`export const ${schema} =`) || !file.text.includes(inferred))
        missing.push(`${file.path}: ${name} needs \`export const ${schema}\` and \`${inferred}\``);
    }
  }
  expect(missing).toEqual([]);
});

test("only sessions/pty.ts touches bun-pty", () => {
  const users = files
    .filter((f) => f.imports.some((s) => s.startsWith("bun-pty")))
    .map((f) => f.path);
  expect(users).toEqual(["src/sessions/pty.ts"]);
});

test("only db/client.ts opens PGlite or postgres.js", () => {
  const users = files
    .filter((f) => f.imports.some((s) => s === "postgres" || s.startsWith("@electric-sql/pglite")))
    .map((f) => f.path);
  expect(users).toEqual(["src/db/client.ts"]);
});

test("the environment is read in one place: main.ts hands it to config.ts (or the hook program)", () => {
  const readers = files.filter((f) => /process\.env\b|Bun\.env\b/.test(f.text));
  expect(readers.map((f) => f.path)).toEqual(["src/main.ts"]);
  const uses = readers[0]?.text.match(/.{0,40}process\.env.{0,2}/g) ?? [];
  for (const use of uses) {
    expect(use).toMatch(
      /((loadConfig|inheritableEnvironment)\(process\.env\)|runHook\(args\.slice\(1\), process\.env\))/,
    );
  }
});

test("sessions/ knows nothing about HTTP", () => {
  for (const file of files.filter((f) => f.path.startsWith("src/sessions/"))) {
    for (const specifier of file.imports) {
      expect(`${file.path} → ${specifier}`).not.toMatch(/→ (hono|.*\/http\/|.*\/app\.ts)/);
    }
  }
});

test("sessions/ speaks its own language: no close codes, no errors carrying HTTP statuses", () => {
  for (const file of files.filter((f) => f.path.startsWith("src/sessions/"))) {
    expect(`${file.path}: ${file.text.match(/\bCloseCode\b/)?.[0]}`).toEndWith(": undefined");
    for (const specifier of file.imports)
      expect(`${file.path} → ${specifier}`).not.toMatch(/→ .*\/errors\.ts$/);
  }
});

test("dependencies point one way: the domain and db never import http", () => {
  for (const file of files.filter((f) => /^src\/(db|sessions|providers|protocol)\//.test(f.path))) {
    for (const specifier of file.imports)
      expect(`${file.path} → ${specifier}`).not.toContain("/http/");
  }
});

test("web/src talks to the server only through src/protocol types and its own modules", () => {
  const web = sourceFiles(join(ROOT, "web", "src"));
  expect(web.length).toBeGreaterThan(10);
  // Browser libraries: Preact, xterm.js, and the Changes view's diff renderer (web/src/diff/).
  const allowed = /→ (\.\.?\/|preact|@preact\/signals|@xterm\/|diff2html\/|highlight\.js\/)/;
  for (const path of web) {
    const text = readFileSync(path, "utf8");
    for (const [, specifier = ""] of text.matchAll(
      /(?:import|export)[^"']*?from\s+["']([^"']+)["']/g,
    )) {
      const at = `${relative(ROOT, path)} → ${specifier}`;
      expect(at).toMatch(allowed);
      if (specifier.includes("/src/")) expect(at).toMatch(/\/src\/protocol\/[\w-]+\.ts$/);
    }
  }
});

test("web/src decodes what sockets send with the protocol's schemas, never by a cast", () => {
  const handlers = sourceFiles(join(ROOT, "web", "src"))
    .map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, "utf8") }))
    .filter((file) => /\.onmessage = /.test(file.text));
  expect(handlers.length).toBeGreaterThanOrEqual(3);
  for (const file of handlers) {
    expect(
      `${file.path}: ${file.text.includes("JSON.parse(") ? "JSON.parse" : "decodes"}`,
    ).toEndWith("decodes");
    expect(file.text).toMatch(/decode(Json|Value)\(\w+Schema, /);
  }
});
