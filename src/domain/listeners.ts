/**
 * Who is told about something, registered by whoever cares once it exists: a part created
 * after the one that emits (the publisher after the service) subscribes then, instead of
 * the emitter holding a forward-declared callback.
 */
export class Listeners<T> {
  private readonly fns: ((value: T) => void)[] = [];

  /** Registers `fn`; the returned function unregisters it. */
  on(fn: (value: T) => void): () => void {
    this.fns.push(fn);
    return () => {
      const i = this.fns.indexOf(fn);
      if (i >= 0) this.fns.splice(i, 1);
    };
  }

  /**
   * Calls every listener in registration order. One that throws does not keep the others from
   * being told; its error is thrown once all were called.
   */
  emit(value: T): void {
    const errors: unknown[] = [];
    for (const fn of [...this.fns]) {
      try {
        fn(value);
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'listeners failed');
  }
}
