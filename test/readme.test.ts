// The README stays true: every configuration variable is documented, and the commands it
// promises exist.

import { expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { createProgram } from "../src/cli/program.ts";
import { describeConfigVariables } from "../src/config.ts";

const ROOT = join(import.meta.dir, "..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");

test.each(describeConfigVariables().map((v) => v.name))("README documents %s", (name) => {
  expect(readme).toContain(`| \`${name}\` |`);
});

test("README gives the install and test commands that package.json and .ci/run use", () => {
  expect(readme).toContain("npm install && npm start");
  expect(readme).toContain("npm test");
  const scripts = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts;
  expect(scripts.start).toBeDefined();
  expect(scripts.test).toBeDefined();
  expect(readFileSync(join(ROOT, ".ci/run"), "utf8")).toMatch(/\nnpm test\n/);
});

test("every opendray command the README shows exists, and the deploy files it names are there", () => {
  const program = createProgram({
    loadConfig: () => {
      throw new Error("not needed to list commands");
    },
    baseEnv: () => ({}),
  });
  const commands = new Set<string>();
  const visit = (command: Command, prefix: string) => {
    for (const child of command.commands) {
      commands.add(`${prefix}${child.name()}`);
      visit(child, `${prefix}${child.name()} `);
    }
  };
  visit(program, "");
  const shown = [...readme.matchAll(/(?<=[\s`(])opendray ((?:user )?[a-z][a-z-]*[a-z])\b/g)]
    .map((match) => match[1] ?? "")
    // Prose ("opendray runs …") and unit names ("opendray opendray-pty-host") are not commands.
    .filter(
      (name) =>
        !/^(runs?|is|on|as|gains|tells|serves|reports|with)$/.test(name) &&
        !name.startsWith("opendray"),
    );
  expect(shown.length).toBeGreaterThan(8);
  for (const name of shown) expect(commands).toContain(name);
  for (const file of readme.matchAll(/\]\((deploy\/[\w.]+)\)/g)) {
    expect(existsSync(join(ROOT, file[1] ?? ""))).toBe(true);
  }
});

test("every screenshot the README shows exists (the browser tests write them)", () => {
  const shots = [...readme.matchAll(/\]\((docs\/screenshots\/[\w-]+\.png)\)/g)].map((m) => m[1]);
  expect(shots.length).toBeGreaterThanOrEqual(8);
  for (const shot of shots) expect(Bun.file(join(ROOT, shot ?? "")).size).toBeGreaterThan(1000);
});
