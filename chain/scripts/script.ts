import { ChainClient } from '../client.ts';

/** Connects (waiting at most 30 s), runs, disconnects. */
/** How long a script waits for the chain to answer. */
export const CHAIN_TIMEOUT_MS = 30_000;

export async function withChain<T>(endpoint: string, timeoutMs: number, run: (chain: ChainClient) => Promise<T>): Promise<T> {
  const chain = await ChainClient.connect(endpoint, timeoutMs);
  try {
    return await run(chain);
  } finally {
    await chain.disconnect();
  }
}

/**
 * A chain script's frame: prints the result as JSON; a result of 2 means bad usage; an error
 * prints one line (no stack trace) and exits 1. The process exits when done, so nothing left
 * open (a socket, a timer) can keep it waiting.
 */
export async function runScript(usage: string, main: () => Promise<unknown>): Promise<never> {
  try {
    const result = await main();
    if (result === 2) {
      console.error(usage);
      process.exit(2);
    }
    console.log(JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));
    process.exit(0);
  } catch (err) {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
