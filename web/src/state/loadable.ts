// What a store loads from the API, as the signal `name`: null until it first loads. `error` says
// why the last load failed ("" when it did not); the value is kept meanwhile.
import { type Signal, signal } from "@preact/signals";
import { errorMessage } from "../api/http.ts";

type Loadable<K extends string, T> = Record<K, Signal<T | null>> & {
  error: Signal<string>;
  load(): Promise<void>;
};

export function createLoadable<K extends string, T>(name: K, fetch: () => Promise<T>) {
  const value = signal<T | null>(null);
  const error = signal("");
  const load = async () => {
    try {
      value.value = await fetch();
      error.value = "";
    } catch (e) {
      error.value = errorMessage(e);
    }
  };
  return { [name]: value, error, load } as Loadable<K, T>;
}
