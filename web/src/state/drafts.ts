// What the user typed for a session and has not sent, kept in localStorage so that it survives a
// reload, a dropped connection and signing in again: the composer's text, plus keys typed into
// the terminal while its stream was down and never delivered. Those are moved here as text for
// the user to check and send, never typed into the program late. A draft goes when it is sent;
// all of them go when the user signs out.
import { signal } from "@preact/signals";

const PREFIX = "opendray.draft.";

/** One session's draft; `rescued`: it holds keys the terminal could not deliver, unseen yet. */
export interface Draft {
  text: string;
  rescued: boolean;
}

/**
 * What is stored: the draft, and while it is `rescued`, what it was before (`base`) and every
 * rescued key so far (`keys`, decoded), so that keys rescued in several parts read as one text.
 */
interface StoredDraft extends Draft {
  base?: string;
  keys?: string;
}

const EMPTY: StoredDraft = { text: "", rescued: false };

export function createDraftsStore(storage: Storage | undefined = browserStorage()) {
  const read = (id: string): StoredDraft => {
    try {
      const raw = storage?.getItem(PREFIX + id);
      return raw ? { ...EMPTY, ...(JSON.parse(raw) as Partial<StoredDraft>) } : EMPTY;
    } catch {
      return EMPTY;
    }
  };
  const write = (id: string, draft: StoredDraft) => {
    try {
      if (draft.text) storage?.setItem(PREFIX + id, JSON.stringify(draft));
      else storage?.removeItem(PREFIX + id);
    } catch {
      // Full or forbidden storage: the draft lives as long as the page.
    }
    version.value++;
  };
  /** Bumped on every change, so that components reading drafts render again. */
  const version = signal(0);

  return {
    version,
    get(id: string): Draft {
      void version.value;
      const { text, rescued } = read(id);
      return { text, rescued };
    },
    /** The user edited the text (it is no longer unseen keys). */
    set(id: string, text: string) {
      write(id, { text, rescued: false });
    },
    /** Keys typed into session `id`'s terminal that never reached it: appended as text. */
    rescue(id: string, keys: Uint8Array) {
      const draft = read(id);
      const base = draft.rescued ? (draft.base ?? "") : draft.text;
      const all = (draft.rescued ? (draft.keys ?? "") : "") + decoder.decode(keys);
      const typed = keysToText(all);
      if (!typed) return;
      write(id, { text: base ? `${base}\n${typed}` : typed, rescued: true, base, keys: all });
    },
    clear(id: string) {
      write(id, EMPTY);
    },
    /** Every session's draft (the user signed out: the next user of this browser sees none). */
    clearAll() {
      try {
        const keys = Array.from({ length: storage?.length ?? 0 }, (_, i) => storage?.key(i));
        for (const key of keys) if (key?.startsWith(PREFIX)) storage?.removeItem(key);
      } catch {}
      version.value++;
    },
  };
}

export type DraftsStore = ReturnType<typeof createDraftsStore>;

const decoder = new TextDecoder();

/**
 * The text of keys typed into a terminal: Enter becomes a line break, Backspace removes the
 * character before it, and other control keys (arrows, Ctrl-C, escape sequences) are dropped —
 * they meant something only on the screen they were typed at. Trailing line breaks are dropped
 * too: the composer's Send adds Enter.
 */
export function keysToText(keys: string): string {
  const typed = keys
    // CSI and SS3 sequences (arrows, function keys), then any other ESC-prefixed key (Alt+x).
    // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal keys are control characters
    .replace(/\x1b(\[[0-?]*[ -/]*[@-~]|O.|.)?/gs, "")
    .replace(/\r\n?/g, "\n");
  let text = "";
  for (const char of typed) {
    if (char === "\x7f" || char === "\b") text = Array.from(text).slice(0, -1).join("");
    else if (char === "\n" || char === "\t" || char >= " ") text += char;
  }
  return text.replace(/\n+$/, "");
}

function browserStorage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}
