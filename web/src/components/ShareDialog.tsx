// The share dialog of a session (admins): make a read-only link (live or recording only; for an
// hour, a day or a week), see the new link once with a Copy button, and the session's links with
// their expiry, mode and last opening, each revocable.
import { useEffect, useMemo, useState } from "preact/hooks";
import type { ShareLink, ShareMode } from "../../../src/protocol/shares.ts";
import { createSharesStore } from "../state/shares.ts";
import { useStores } from "../stores.ts";
import { Dialog, DialogActions } from "./Dialog.tsx";
import { ErrorAlert } from "./ErrorAlert.tsx";
import { ago } from "./time.ts";

const LIFETIMES = [
  { label: "1 hour", seconds: 3600 },
  { label: "24 hours", seconds: 86_400 },
  { label: "7 days", seconds: 7 * 86_400 },
] as const;

export function ShareDialog(props: { sessionId: string; onClose: () => void }) {
  const { api, clock } = useStores();
  const store = useMemo(() => createSharesStore(api, props.sessionId), [props.sessionId]);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    void store.load();
  }, [store]);
  const now = clock.now.value;
  const created = store.created.value;
  return (
    <Dialog title="Share this session" onClose={props.onClose}>
      <p class="muted">
        Anyone with the link can watch this session, without an account; nobody can type through it.
        It works until it expires or you revoke it.
      </p>
      <form
        class="dialog-form share-form"
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          setCopied(false);
          void store.create({
            mode: form.get("mode") === "recording" ? "recording" : "live",
            expiresIn: Number(form.get("expiresIn")),
          });
        }}
      >
        <fieldset>
          <legend>Shows</legend>
          <label>
            <input type="radio" name="mode" value="live" defaultChecked /> Live: the session as it
            goes on
          </label>
          <label>
            <input type="radio" name="mode" value="recording" /> Recording only: its output up to
            the moment the link is opened
          </label>
        </fieldset>
        <label>
          Expires after
          <select name="expiresIn" defaultValue="86400">
            {LIFETIMES.map((lifetime) => (
              <option key={lifetime.seconds} value={String(lifetime.seconds)}>
                {lifetime.label}
              </option>
            ))}
          </select>
        </label>
        <DialogActions cancel="Close" onCancel={props.onClose} submit="Create link" />
      </form>
      {created && (
        <div class="share-created" role="status">
          <p>Copy the link now: it is not shown again.</p>
          <div class="share-url">
            <input readOnly value={created} aria-label="New share link" data-testid="share-url" />
            <button
              type="button"
              onClick={(event) => {
                // No clipboard API outside a secure context (plain http to a remote host): the
                // link is selected instead, for Ctrl+C.
                const input = event.currentTarget.previousElementSibling;
                if (!navigator.clipboard) {
                  if (input instanceof HTMLInputElement) input.select();
                  return;
                }
                void navigator.clipboard.writeText(created).then(
                  () => setCopied(true),
                  () => input instanceof HTMLInputElement && input.select(),
                );
              }}
            >
              {copied ? "Copied" : "Copy"}
            </button>
          </div>
        </div>
      )}
      <ErrorAlert text={store.error.value} />
      <ShareList links={store.links.value} now={now} onRevoke={(id) => void store.revoke(id)} />
    </Dialog>
  );
}

const MODE_LABEL: Record<ShareMode, string> = { live: "Live", recording: "Recording only" };

function ShareList(props: {
  links: ShareLink[] | null;
  now: number;
  onRevoke: (id: string) => void;
}) {
  const { links, now } = props;
  if (links === null) return <p class="muted">Loading links…</p>;
  if (links.length === 0) return <p class="muted">No links yet.</p>;
  return (
    <table class="share-list">
      <caption>Links to this session</caption>
      <thead>
        <tr>
          <th scope="col">Shows</th>
          <th scope="col">Expires</th>
          <th scope="col">Last opened</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {links.map((link) => (
          <tr key={link.id} data-share={link.id}>
            <td>{MODE_LABEL[link.mode]}</td>
            <td>
              {link.revokedAt
                ? "revoked"
                : link.active
                  ? `in ${ago(new Date(now).toISOString(), Date.parse(link.expiresAt))}`
                  : "expired"}
            </td>
            <td>{link.lastOpenedAt ? `${ago(link.lastOpenedAt, now)} ago` : "never"}</td>
            <td>
              {link.active && (
                <button type="button" class="danger-text" onClick={() => props.onRevoke(link.id)}>
                  Revoke
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
