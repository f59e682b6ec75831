// What a stand-in records as it happens (requests, messages), and a wait for the first entry
// that matches, whether it came already or comes later, with a bounded timeout.

export class WaitList<T> {
  readonly items: T[] = [];
  private readonly waiters = new Set<() => void>();

  push(item: T): void {
    this.items.push(item);
    for (const waiter of [...this.waiters]) waiter();
  }

  /** The first entry `match` is truthy for; rejects after `timeoutMs` saying `what` and what came. */
  waitFor(
    match: (item: T) => unknown,
    what: string,
    timeoutMs: number,
    describe: (items: T[]) => string = (items) => `${items.length} entries`,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.items.find(match);
        if (found === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; got ${describe(this.items)}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}
