// One file browser over a session's folder: where it is, what that folder holds, and the file
// opened from it (a text preview or an image). Components read these signals and call the
// actions; the network is ./api/files.ts.

import { signal } from "@preact/signals";
import type { FileEntry, FolderListing } from "../api/files.ts";
import { errorMessage } from "../api/http.ts";

const IMAGE = /\.(png|jpe?g|gif|webp|avif|bmp|ico|svg)$/i;

export type Opened =
  | { kind: "text"; path: string; text: string; truncated: boolean }
  | { kind: "image"; path: string }
  | null;

export interface FilesBrowserDeps {
  list: (path: string) => Promise<FolderListing>;
  preview: (path: string) => Promise<{ text: string; truncated: boolean }>;
}

/** `name` inside folder `folder` ("" is the session's folder). */
export const childPath = (folder: string, name: string) => (folder ? `${folder}/${name}` : name);

/** The entry leads to a folder: a folder, or a symlink to one that stays inside. */
export const isFolder = (entry: FileEntry) =>
  entry.kind === "dir" || (entry.kind === "symlink" && entry.target?.kind === "dir");

/** The entry can be opened as a file. */
export const isFile = (entry: FileEntry) =>
  entry.kind === "file" || (entry.kind === "symlink" && entry.target?.kind === "file");

export function createFilesBrowser({ list, preview }: FilesBrowserDeps) {
  const path = signal("");
  const listing = signal<FolderListing | null>(null);
  const opened = signal<Opened>(null);
  const error = signal("");
  const busy = signal(false);
  // Only the last request's answer is shown: a slow folder must not replace a later one.
  let latest = 0;
  const load = async <T>(work: () => Promise<T>, apply: (value: T) => void) => {
    const mine = ++latest;
    busy.value = true;
    error.value = "";
    try {
      const value = await work();
      if (mine === latest) apply(value);
    } catch (e) {
      if (mine === latest) error.value = errorMessage(e);
    } finally {
      if (mine === latest) busy.value = false;
    }
  };
  return {
    path,
    listing,
    opened,
    error,
    busy,
    /** Shows folder `to` ("" is the session's folder). */
    go: (to: string) =>
      load(
        () => list(to),
        (value) => {
          path.value = value.path;
          listing.value = value;
          opened.value = null;
        },
      ),
    /** Opens `entry` of the current folder: a folder is entered, an image shown, text previewed. */
    open(entry: FileEntry) {
      const target = childPath(path.value, entry.name);
      if (isFolder(entry)) return this.go(target);
      if (IMAGE.test(entry.name)) {
        opened.value = { kind: "image", path: target };
        return Promise.resolve();
      }
      return load(
        () => preview(target),
        (value) => {
          opened.value = { kind: "text", path: target, ...value };
        },
      );
    },
    close: () => {
      opened.value = null;
    },
  };
}

export type FilesBrowser = ReturnType<typeof createFilesBrowser>;
