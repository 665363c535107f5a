/**
 * Runs tasks one after another per key, so that read-modify-write cycles on one stored record (the
 * store is async) cannot interleave; tasks on different keys run concurrently.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every task queued before it on `key` has settled (whether or not it failed). */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const next = (this.tails.get(key) ?? Promise.resolve()).catch(() => undefined).then(task);
    this.tails.set(key, next);
    void next
      .finally(() => {
        if (this.tails.get(key) === next) {
          this.tails.delete(key);
        }
      })
      .catch(() => undefined);
    return next;
  }
}
