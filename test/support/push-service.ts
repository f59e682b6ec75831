// A stand-in for a Web Push service (FCM, Mozilla's autopush, Apple's) on a loopback HTTPS port,
// speaking the real protocol (RFC 8030 message delivery): `POST /push/<id>` with an RFC 8291
// aes128gcm body and an RFC 8292 VAPID Authorization header, answered 201 — or, per device, 410
// (the subscription is gone), 500, or never (a timeout). Each device is a browser stand-in with
// its own P-256 key pair and auth secret, and decrypts what it receives with them (http_ece, the
// reference implementation), so a test reads the payload as the service worker would.

import { createECDH, type ECDH, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ece from "http_ece";
import type { NewPushSubscription, PushPayload } from "../../src/protocol/push.ts";
import { WaitList } from "./wait-list.ts";

export interface PushMessage {
  device: string;
  headers: Headers;
  /** Decrypted with the device's keys. */
  payload: PushPayload;
  /** performance.now() when it arrived. */
  at: number;
}

export type DeviceBehaviour = "accept" | "gone" | "fail" | "hang";

export interface PushService {
  /** The certificate the service uses (self-signed for localhost), for the server to trust. */
  ca: string;
  port: number;
  messages: PushMessage[];
  /** A new browser stand-in: its subscription as PushSubscription.toJSON() gives it. */
  device(id: string, behaviour?: DeviceBehaviour): NewPushSubscription;
  /** Change how a device's endpoint answers from now on. */
  behave(id: string, behaviour: DeviceBehaviour): void;
  /** Requests received for a device, whatever the answer. */
  hits(id: string): number;
  waitForMessage(
    match: (message: PushMessage) => boolean,
    timeoutMs?: number,
  ): Promise<PushMessage>;
  stop(): Promise<void>;
}

/** A self-signed certificate for localhost and 127.0.0.1, made with openssl. */
function selfSigned(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), "opendray-push-tls-"));
  try {
    const made = Bun.spawnSync([
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ]);
    if (made.exitCode !== 0) throw new Error(`openssl failed: ${made.stderr.toString()}`);
    return {
      cert: readFileSync(join(dir, "cert.pem"), "utf8"),
      key: readFileSync(join(dir, "key.pem"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function startPushService(): PushService {
  const tls = selfSigned();
  const devices = new Map<
    string,
    { ecdh: ECDH; auth: Buffer; behaviour: DeviceBehaviour; hits: number }
  >();
  const log = new WaitList<PushMessage>();
  const messages = log.items;
  const hanging: (() => void)[] = [];

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls,
    async fetch(request) {
      const url = new URL(request.url);
      const id = url.pathname.replace(/^\/push\//, "");
      const device = devices.get(id);
      if (request.method !== "POST" || !device) return new Response(null, { status: 404 });
      device.hits++;
      const body = Buffer.from(await request.arrayBuffer());
      switch (device.behaviour) {
        case "gone":
          return new Response(null, { status: 410 });
        case "fail":
          return new Response("internal error", { status: 500 });
        case "hang":
          return new Promise<Response>((resolve) => {
            hanging.push(() => resolve(new Response(null, { status: 503 })));
          });
        case "accept":
          break;
      }
      const plain = ece.decrypt(body, {
        version: "aes128gcm",
        privateKey: device.ecdh,
        authSecret: device.auth.toString("base64url"),
      });
      log.push({
        device: id,
        headers: request.headers,
        payload: JSON.parse(plain.toString("utf8")) as PushPayload,
        at: performance.now(),
      });
      return new Response(null, { status: 201 });
    },
  });
  const port = server.port ?? 0;

  return {
    ca: tls.cert,
    port,
    messages,
    device(id, behaviour = "accept") {
      const ecdh = createECDH("prime256v1");
      ecdh.generateKeys();
      const auth = randomBytes(16);
      devices.set(id, { ecdh, auth, behaviour, hits: 0 });
      return {
        endpoint: `https://localhost:${port}/push/${id}`,
        keys: { p256dh: ecdh.getPublicKey("base64url"), auth: auth.toString("base64url") },
        label: `device ${id}`,
      };
    },
    behave(id, behaviour) {
      const device = devices.get(id);
      if (device) device.behaviour = behaviour;
    },
    hits: (id) => devices.get(id)?.hits ?? 0,
    waitForMessage(match, timeoutMs = 15_000) {
      return log.waitFor(match, "a push message", timeoutMs, (all) =>
        JSON.stringify(all.map((m) => [m.device, m.payload.kind, m.payload.title])),
      );
    },
    async stop() {
      for (const release of hanging.splice(0)) release();
      await server.stop(true);
    },
  };
}
