/**
 * How many station frames the node takes up in one event-loop turn, across every connection.
 *
 * When thousands of stations send at once, reading them all in one turn makes every message
 * wait for the whole burst's handling and commit before its answer leaves, holding its parsed
 * payload and its handler's state through several garbage collections (at 5,000 busy stations
 * that cost more CPU than the messages themselves). Beyond the limit a connection's frames
 * wait unread, in order, for a later turn: each message is then answered within a few turns
 * of being read. A slow handler (waiting on an outside service) holds no place: the limit is
 * per turn, not on messages under way.
 */
export class TurnAdmission {
  private readonly perTurn: number;
  private taken = 0;
  // Connections with frames waiting, first come first served (a Set keeps insertion order).
  private readonly waiting = new Set<() => void>();

  constructor(perTurn: number) {
    if (!Number.isInteger(perTurn) || perTurn < 1) throw new RangeError(`frames per turn must be a positive integer, not ${perTurn}`);
    this.perTurn = perTurn;
  }

  /** Whether this turn has taken all it may. */
  get full(): boolean {
    return this.taken >= this.perTurn;
  }

  /** Counts one frame taken up in this turn. */
  take(): void {
    if (this.taken++ === 0) setImmediate(() => this.nextTurn());
  }

  /** `wake` runs once, in a later turn with room (a connection whose frames wait). */
  wait(wake: () => void): void {
    this.waiting.add(wake);
  }

  /** Whether `wake` waits for a turn. */
  waits(wake: () => void): boolean {
    return this.waiting.has(wake);
  }

  /** A closed connection stops waiting. */
  forget(wake: () => void): void {
    this.waiting.delete(wake);
  }

  private nextTurn(): void {
    this.taken = 0;
    for (const wake of this.waiting) {
      if (this.full) return;
      this.waiting.delete(wake);
      wake();
    }
  }
}
