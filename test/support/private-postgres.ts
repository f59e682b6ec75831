// A private PostgreSQL cluster for tests that stop and start the database: initdb and pg_ctl from
// PG_BIN, run as the `postgres` user (initdb refuses root) in a temp dir, on a free port. It is
// never the shared server the other tests use.

import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";
const PG_USER = "postgres";
/** How long pg_ctl may take to start or stop the cluster, in seconds. */
const PG_CTL_WAIT_S = 30;

export interface PrivatePostgres {
  /** postgres:// URL of database `name` on the cluster. */
  url(name?: string): string;
  /** Creates database `name`; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Starts the cluster unless it runs (waits until it accepts connections). */
  start(): Promise<void>;
  /** Stops the cluster: `fast` disconnects clients, `immediate` aborts like a crash. */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  /** Stops the cluster if it runs and deletes its files. */
  destroy(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || !address) throw new Error("no free port");
  return address.port;
}

async function run(command: string[]): Promise<void> {
  const child = Bun.spawn(["runuser", "-u", PG_USER, "--", ...command], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, out, err] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  if (code !== 0) throw new Error(`${command.join(" ")} exited ${code}: ${out}${err}`);
}

/** initdb a new cluster (trust auth, no fsync: throwaway data) and start it. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), "opendray-private-pg-"));
  const id = (flag: string) => Number(Bun.spawnSync(["id", flag, PG_USER]).stdout.toString());
  chownSync(dir, id("-u"), id("-g"));
  const data = join(dir, "data");
  const port = await freePort();
  await run([
    join(PG_BIN, "initdb"),
    "-D",
    data,
    "-A",
    "trust",
    "-U",
    PG_USER,
    "-E",
    "UTF8",
    "--no-sync",
  ]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const ctl = (...args: string[]) =>
    run([join(PG_BIN, "pg_ctl"), "-D", data, "-t", String(PG_CTL_WAIT_S), "-w", ...args]);
  let running = false;
  const cluster: PrivatePostgres = {
    url: (name = "postgres") => `postgres://${PG_USER}@127.0.0.1:${port}/${name}`,
    async createDatabase(name) {
      await run([join(PG_BIN, "createdb"), "-h", "127.0.0.1", "-p", String(port), name]);
      return cluster.url(name);
    },
    async start() {
      if (running) return;
      await ctl("-o", options, "-l", join(dir, "log"), "start");
      running = true;
    },
    async stop(mode = "fast") {
      await ctl("-m", mode, "stop");
      running = false;
    },
    async destroy() {
      if (running) await cluster.stop("immediate").catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return cluster;
}
