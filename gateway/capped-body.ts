import type { IncomingMessage } from 'node:http';

/** A request's body, refused with `tooLarge()` as soon as it passes `max` bytes (never kept past that). */
export async function readCapped(req: IncomingMessage, max: number, tooLarge: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
