/** Polls `check` until it returns a truthy value (or throws its last error after `ms`). */
export async function eventually<T>(check: () => T | Promise<T>, ms = 5000, message = 'condition not met'): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw lastError instanceof Error ? lastError : new Error(message);
    await new Promise((r) => setTimeout(r, 20));
  }
}
