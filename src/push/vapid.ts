// The server's VAPID key pair (RFC 8292): made once, sealed with the secrets key and kept in the
// database, so that every device's subscription (made for the public key) stays valid across
// restarts and upgrades.

import webpush from "web-push";
import type { PushRepo } from "../db/push-repo.ts";
import type { SecretBox } from "../providers/secret-box.ts";

const NAME = "vapid";

export interface VapidKeys {
  /** base64url of the uncompressed P-256 point: the browser's applicationServerKey. */
  publicKey: string;
  privateKey: string;
}

export async function loadVapidKeys(
  repo: PushRepo,
  box: SecretBox,
  now: () => number = Date.now,
): Promise<VapidKeys> {
  const context = `server-key:${NAME}`;
  let sealed = await repo.serverKey(NAME);
  if (sealed === undefined) {
    const fresh = webpush.generateVAPIDKeys();
    // Two servers on one database (a restart racing a start) keep whichever was stored first.
    sealed = await repo.keepServerKey(
      NAME,
      box.seal(JSON.stringify(fresh), context),
      new Date(now()),
    );
  }
  return JSON.parse(box.open(sealed, context)) as VapidKeys;
}
