import { MAX_RESPONSE_BYTES } from './protocol.ts';

// Room in an answer for the signed envelope around the events and their protobuf framing.
const EVENTS_PAGE_BYTES = MAX_RESPONSE_BYTES - 8 * 1024;

/** The first events that fit one answer a wallet can read (always at least one). */
export function eventsPage(envelopes: Uint8Array[], budget = EVENTS_PAGE_BYTES): Uint8Array[] {
  let bytes = 0;
  const page: Uint8Array[] = [];
  for (const e of envelopes) {
    bytes += e.length + 8; // a length-delimited field: tag and length
    if (page.length && bytes > budget) break;
    page.push(e);
  }
  return page;
}
