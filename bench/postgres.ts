// A throwaway PostgreSQL database for the benches that compare the engines: created on the server
// at BENCH_DATABASE_URL (default the local `test` database's server), dropped afterwards.

import { randomBytes } from "node:crypto";
import postgres from "postgres";
import type { Cleanup } from "./cleanup.ts";

const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test";

/** The URL of a new, empty database; it is dropped when `cleanup` runs. */
export async function throwawayDatabase(cleanup: Cleanup): Promise<string> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? DEFAULT_URL;
  // Lowercase letters and digits only: safe to splice into SQL as an identifier.
  const name = `opendray_bench_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  cleanup.add(async () => {
    const dropper = postgres(adminUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
    try {
      await dropper.unsafe(`drop database if exists "${name}" with (force)`);
    } finally {
      await dropper.end();
    }
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
