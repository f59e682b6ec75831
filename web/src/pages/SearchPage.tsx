// Search over what sessions printed: words and "phrases", filters, and results with their
// matches highlighted. A snippet's matches come between sentinel characters, split here into
// text and <mark> elements: output text is never HTML. Opening a result shows the session and
// finds the matched word in its terminal.
import type { JSX } from "preact";
import { MATCH_END, MATCH_START, type SearchResult } from "../../../src/protocol/search.ts";
import { SESSION_STATES } from "../../../src/protocol/session.ts";
import type { SearchForm } from "../state/search.ts";
import { useStores } from "../stores.ts";

/** The snippet as text with each match in a <mark>. */
export function Snippet({ text }: { text: string }) {
  const parts: JSX.Element[] = [];
  // Every piece after a MATCH_START opens with a match (up to MATCH_END), then plain text.
  text.split(MATCH_START).forEach((piece, index) => {
    if (index === 0) {
      parts.push(<span key={`t${index}`}>{piece}</span>);
      return;
    }
    const end = piece.indexOf(MATCH_END);
    const match = end === -1 ? piece : piece.slice(0, end);
    const rest = end === -1 ? "" : piece.slice(end + MATCH_END.length);
    parts.push(<mark key={`m${index}`}>{match}</mark>);
    if (rest) parts.push(<span key={`r${index}`}>{rest}</span>);
  });
  return <p class="snippet mono">{parts}</p>;
}

export function SearchPage() {
  const { search, router, auth, sessions } = useStores();
  const form = search.form.value;
  const results = search.results.value;
  const isAdmin = auth.user.value?.role === "admin";
  const providers = [...new Set([...sessions.byId.value.values()].map((s) => s.provider))].sort();
  const set =
    (field: keyof SearchForm) =>
    (event: { currentTarget: HTMLInputElement | HTMLSelectElement }) => {
      search.form.value = { ...search.form.value, [field]: event.currentTarget.value };
    };
  const open = (result: SearchResult) => (event: MouseEvent) => {
    event.preventDefault();
    router.navigate(resultPath(result));
  };
  return (
    <main class="page search-page">
      <h2>Search</h2>
      <form
        class="search-form"
        aria-label="Search"
        onSubmit={(event) => {
          event.preventDefault();
          void search.search();
        }}
      >
        <div class="search-query">
          <input
            type="search"
            name="q"
            aria-label="Search sessions' output"
            placeholder='Words or "a phrase"'
            maxLength={500}
            enterKeyHint="search"
            value={form.q}
            onInput={set("q")}
          />
          <button type="submit" class="primary" disabled={search.busy.value}>
            Search
          </button>
        </div>
        <div class="search-filters">
          <AnyOf
            label="Provider"
            value={form.provider}
            choices={providers}
            onChange={set("provider")}
          />
          <AnyOf
            label="State"
            value={form.state}
            choices={SESSION_STATES}
            onChange={set("state")}
          />
          <label>
            Folder
            <input type="text" placeholder="/path" value={form.cwd} onInput={set("cwd")} />
          </label>
          <label>
            From
            <input type="date" value={form.from} onInput={set("from")} />
          </label>
          <label>
            To
            <input type="date" value={form.to} onInput={set("to")} />
          </label>
          {isAdmin && (
            <label>
              User
              <input type="text" value={form.user} onInput={set("user")} />
            </label>
          )}
        </div>
      </form>
      {search.error.value && (
        <p class="error" role="alert">
          {search.error.value}
        </p>
      )}
      {results && results.length === 0 && <p class="muted">No session printed that.</p>}
      {results && results.length > 0 && (
        <ol class="search-results" aria-label="Results">
          {results.map((result) => (
            <li key={`${result.session.id}:${result.line}:${result.offset}`}>
              <a href={resultPath(result)} onClick={open(result)} data-testid="search-result">
                <span class="session-name">{result.session.name || result.session.provider}</span>
                <span class="muted small">
                  {" "}
                  {result.session.provider} · {result.session.cwd} · {result.session.state} ·{" "}
                  {new Date(result.session.createdAt).toLocaleString()} · line {result.line}
                </span>
              </a>
              <Snippet text={result.snippet} />
            </li>
          ))}
        </ol>
      )}
      {search.nextOffset.value !== null && (
        <button type="button" disabled={search.busy.value} onClick={() => void search.more()}>
          More results
        </button>
      )}
    </main>
  );
}

/** The session of `result`, its terminal finding the first matched word. */
function resultPath(result: SearchResult): string {
  const term = result.terms[0];
  const find = term ? `?find=${encodeURIComponent(term)}` : "";
  return `/s/${result.session.id}${find}`;
}

/** A filter that is one of `choices`, or "any" (the empty value). */
function AnyOf(props: {
  label: string;
  value: string;
  choices: readonly string[];
  onChange: (event: { currentTarget: HTMLSelectElement }) => void;
}) {
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={props.onChange}>
        <option value="">any</option>
        {props.choices.map((choice) => (
          <option key={choice} value={choice}>
            {choice}
          </option>
        ))}
      </select>
    </label>
  );
}
