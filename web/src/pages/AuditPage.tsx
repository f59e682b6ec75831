// The audit log (admins): who did what, when, from where, and whether it was allowed. A target
// that is a session still in the list shows its name, linked to it; its id stays in the tooltip.
import { useEffect } from "preact/hooks";
import type { AuditEntry } from "../api/http.ts";
import { sessionTitle } from "../components/SessionList.tsx";
import { useStores } from "../stores.ts";

export function AuditPage() {
  const { audit } = useStores();
  useEffect(() => {
    void audit.load();
  }, [audit]);
  const entries = audit.entries.value;
  return (
    <main class="page">
      <h2>Audit log</h2>
      {audit.error.value && <p class="error">{audit.error.value}</p>}
      {!entries && !audit.error.value && <p class="muted">Loading…</p>}
      {entries && (
        <div class="table-wrap">
          <table class="audit">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>Action</th>
                <th>Target</th>
                <th>Outcome</th>
                <th>From</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} class={e.outcome === "ok" ? "" : "denied"}>
                  <td title={e.at}>{new Date(e.at).toLocaleString()}</td>
                  <td>
                    <AuditActor entry={e} />
                  </td>
                  <td class="mono">{e.action}</td>
                  <td class="small">
                    <AuditTarget entry={e} />
                  </td>
                  <td>{e.outcome}</td>
                  <td class="mono small">{e.clientIp ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </main>
  );
}

/** The user, or, for what the server did by itself, "server" and why (detail.reason). */
function AuditActor({ entry }: { entry: AuditEntry }) {
  if (entry.actor !== null) return <>{entry.actor}</>;
  const reason = entry.detail?.reason;
  return typeof reason === "string" ? <span class="small">server · {reason}</span> : <>—</>;
}

function AuditTarget({ entry }: { entry: AuditEntry }) {
  const { sessions, router } = useStores();
  const id = entry.target;
  if (!id) return null;
  const session = entry.action.startsWith("session.") ? sessions.byId.value.get(id) : undefined;
  if (!session) {
    return (
      <span class="mono" title={id}>
        {id}
      </span>
    );
  }
  return (
    <a
      href={`/s/${id}`}
      title={id}
      data-testid="audit-session"
      onClick={(event) => {
        event.preventDefault();
        router.navigate(`/s/${id}`);
      }}
    >
      {sessionTitle(session)}
    </a>
  );
}
