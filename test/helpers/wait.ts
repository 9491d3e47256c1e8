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

/**
 * How long a test waits for anything that needs blocks on the dev chain. chopsticks builds a
 * block in about a second on a quiet machine, but with the whole suite running on two cores a
 * block has taken several, and a settlement or an executed approval needs a few of them.
 */
export const CHAIN_WAIT_MS = 120_000;
