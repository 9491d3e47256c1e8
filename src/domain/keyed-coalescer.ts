type Task = () => Promise<void>;

/**
 * Runs a task per key (a station identity) at most once at a time; the asks made while it runs
 * fold into one more run after it (the latest ask's task). For work that brings a station up to
 * date (its local list, its configuration), where ten asks in a row need one run: a station
 * sending BootNotification after BootNotification would otherwise queue a reconciliation per
 * boot, each waiting on calls to the station, without bound.
 */
export class KeyedCoalescer {
  // A key is here while its task runs; the value is the task asked for meanwhile, if any.
  private readonly next = new Map<string, Task | undefined>();
  private readonly onError: (key: string, err: unknown) => void;

  constructor(onError: (key: string, err: unknown) => void) {
    this.onError = onError;
  }

  ask(key: string, task: Task): void {
    if (this.next.has(key)) {
      this.next.set(key, task);
      return;
    }
    this.next.set(key, undefined);
    void this.run(key, task);
  }

  /** Keys with a run under way. */
  get size(): number {
    return this.next.size;
  }

  private async run(key: string, first: Task): Promise<void> {
    for (let task: Task | undefined = first; task; task = this.next.get(key)) {
      this.next.set(key, undefined);
      try {
        await task();
      } catch (err) {
        this.onError(key, err);
      }
    }
    this.next.delete(key);
  }
}
