// The two measurement loops shared by the raw PTY floor and the WebSocket path: bulk output
// throughput and keystroke echo latency. Programs print READY once set up and wait for the go key,
// so that start-up (login shell, WebSocket handshake, replay) is never timed.

import { cpus } from "node:os";
import { machineTicks } from "./proc.ts";
import { READY } from "./ready-marker.ts";
import { mbPerSecond, withTimeout } from "./stats.ts";
import type { Terminal } from "./terminal.ts";

export const OUTPUT_BYTES = 100 * 1024 * 1024;

/**
 * Writes `warmUpBytes` zero bytes (untimed: they fill a scrollback), prints READY, waits for a
 * line, then writes OUTPUT_BYTES zero bytes (no \n, so the terminal translates nothing).
 */
export function producerScript(warmUpBytes = 0): string {
  const warmUp = warmUpBytes > 0 ? `head -c ${warmUpBytes} /dev/zero; ` : "";
  return `stty -echo; ${warmUp}printf ${READY}; IFS= read -r _; exec head -c ${OUTPUT_BYTES} /dev/zero`;
}
/** Raw mode without echo: every byte typed comes back once, written by cat. */
export const ECHO_SCRIPT = `stty raw -echo; printf ${READY}; exec cat`;

export const ECHO_KEYS = 1000;
const ECHO_WARMUP_KEYS = 50;
/** The key a READY producer waits for (a fresh array each time: senders may keep it). */
export const goKey = () => Uint8Array.of(0x0a);

export interface ThroughputRun {
  /** Output bytes after the go key. */
  bytes: number;
  /** From the go key to the arrival of the last byte. */
  ns: number;
  mbps: number;
  /** CPU time of this (measuring) process during the run. */
  readerCpuMs: number;
  /** How busy the whole machine was during the run, in % of one core (200 = two cores). */
  machineBusyPercent: number;
  /** CPU time of the server during the run, when there is one. */
  serverCpuMs?: number;
}

/** Send the go key to a READY producer and count its output until it exits. */
export async function measureThroughput(
  terminal: Terminal,
  timeoutMs = 120_000,
): Promise<ThroughputRun> {
  await terminal.waitForReady();
  const before = terminal.bytes;
  let lastNs = 0;
  terminal.onChunk = (_length, atNs) => {
    lastNs = atNs;
  };
  const cpuBefore = process.cpuUsage();
  const machineBefore = machineTicks();
  const startNs = Bun.nanoseconds();
  terminal.write(goKey());
  try {
    await terminal.waitForExit(timeoutMs);
  } finally {
    terminal.onChunk = undefined;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const machine = machineTicks();
  const bytes = terminal.bytes - before;
  return {
    bytes,
    ns: lastNs - startNs,
    mbps: mbPerSecond(bytes, lastNs - startNs),
    readerCpuMs: (cpu.user + cpu.system) / 1000,
    machineBusyPercent:
      ((machine.busy - machineBefore.busy) / (machine.total - machineBefore.total)) *
      100 *
      cpus().length,
  };
}

/**
 * Type ECHO_KEYS single bytes into a READY echo program, each once the previous one came back;
 * returns each key's round trip in microseconds (after ECHO_WARMUP_KEYS untimed keys).
 */
export async function measureEcho(terminal: Terminal, keys = ECHO_KEYS): Promise<number[]> {
  await terminal.waitForReady();
  const samples: number[] = [];
  let typed = 0;
  let awaiting = 0;
  let sentNs = 0;
  const done = new Promise<void>((resolve) => {
    const type = () => {
      awaiting = 1;
      sentNs = Bun.nanoseconds();
      terminal.write(Uint8Array.of(0x61 + (typed % 26)));
    };
    terminal.onChunk = (length, atNs) => {
      awaiting -= length;
      if (awaiting > 0) return;
      if (typed >= ECHO_WARMUP_KEYS) samples.push((atNs - sentNs) / 1000);
      typed += 1;
      if (typed < ECHO_WARMUP_KEYS + keys) return type();
      terminal.onChunk = undefined;
      resolve();
    };
    type();
  });
  try {
    await withTimeout(done, 120_000, `echo of ${keys} keys (${samples.length} done)`);
  } finally {
    terminal.onChunk = undefined;
  }
  return samples;
}
