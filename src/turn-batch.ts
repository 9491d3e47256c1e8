/**
 * Gathers what callers hand in during one event-loop turn and runs it as one batch in the next
 * (the LevelDB group commit, the events signed together): each caller's promise settles with
 * its own result, or with the batch's error.
 */
export class TurnBatch<T, R> {
  private pending: { item: T; resolve: (r: R) => void; reject: (err: unknown) => void }[] = [];
  private scheduled = false;
  private readonly run: (items: T[]) => Promise<R[]>;

  /** `run` returns one result per item, in order. */
  constructor(run: (items: T[]) => Promise<R[]>) {
    this.run = run;
  }

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Whether anything waits for its batch (a batch scheduled or not yet handed in). */
  get busy(): boolean {
    return this.scheduled || this.pending.length > 0;
  }

  private flush(): void {
    const group = this.pending;
    this.pending = [];
    this.scheduled = false;
    this.run(group.map((g) => g.item)).then(
      (results) => { group.forEach((g, i) => g.resolve(results[i]!)); },
      (err: unknown) => { for (const g of group) g.reject(err); },
    );
  }
}
