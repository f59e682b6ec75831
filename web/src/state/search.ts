// Search over sessions' output: the query and filters as typed, the results so far and the
// next page's offset. The results stay while the user opens one and comes back.
import { signal } from "@preact/signals";
import type { SearchResult } from "../../../src/protocol/search.ts";
import { type ApiClient, errorMessage } from "../api/http.ts";

/** The search form's fields, as the API's query names them. */
export interface SearchForm {
  q: string;
  provider: string;
  state: string;
  cwd: string;
  from: string;
  to: string;
  user: string;
}

export const EMPTY_FORM: SearchForm = {
  q: "",
  provider: "",
  state: "",
  cwd: "",
  from: "",
  to: "",
  user: "",
};

export function createSearchStore(api: ApiClient) {
  const form = signal<SearchForm>(EMPTY_FORM);
  const results = signal<SearchResult[] | null>(null);
  const nextOffset = signal<number | null>(null);
  const error = signal("");
  const busy = signal(false);
  /** The form the shown results answer (paging goes on with it, not with later edits). */
  let asked: SearchForm = EMPTY_FORM;

  async function fetchPage(offset: number): Promise<void> {
    busy.value = true;
    try {
      const page = await api.search({ ...asked, offset: String(offset) });
      results.value = offset === 0 ? page.results : [...(results.value ?? []), ...page.results];
      nextOffset.value = page.nextOffset;
      error.value = "";
    } catch (e) {
      error.value = errorMessage(e);
      if (offset === 0) results.value = null;
    } finally {
      busy.value = false;
    }
  }

  return {
    form,
    results,
    nextOffset,
    error,
    busy,
    /** Search with the form as it is now. */
    search() {
      asked = form.value;
      return fetchPage(0);
    },
    /** The next page of the last search. */
    more() {
      return nextOffset.value === null ? Promise.resolve() : fetchPage(nextOffset.value);
    },
  };
}

export type SearchStore = ReturnType<typeof createSearchStore>;
