// ISO 8601 as real stations write it: with or without fraction (any precision), with 'Z',
// an offset (+01:00, +0100, +01) or none at all (read as UTC), 'T' or a space between.
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:(Z|z)|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/**
 * The canonical UTC form most stations write ("2024-05-01T10:00:00.000Z", or without the
 * fraction), read natively: a meter message's timestamp was a few percent of its CPU through
 * the lenient reader below.
 */
function canonical(text: string): Date | undefined {
  // Years 0-99 are left to the lenient reader, which has always read them as 1900-1999 (Date.UTC).
  if (text.startsWith('00')) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return undefined;
  const date = new Date(ms);
  const iso = date.toISOString();
  // Only when it writes back as given: Date.parse also takes other forms, and rolls 02-30 over to 03-01.
  const same = iso === text || (text.length === 20 && text[19] === 'Z' && iso.length === 24 && iso.startsWith(text.slice(0, 19)));
  return same ? date : undefined;
}

const DIGIT_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];

/**
 * The milliseconds of a timestamp written exactly as toISOString writes it
 * ("2024-05-01T10:00:00.000Z", the form most stations send), which is then its own ISO text;
 * undefined for anything else. Checked by position, so no date is written back to compare:
 * only a day past the 28th can roll over (02-30 reads as 03-02), and those take the general way.
 */
function readExactIsoMs(text: string): number | undefined {
  if (text.length !== 24 || text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':' || text[19] !== '.' || text[23] !== 'Z') return undefined;
  for (const i of DIGIT_AT) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  // Years 0-99 read as 1900-1999 (the lenient reader's rule); 24:00, :60 and impossible months go the general way.
  if (text.startsWith('00') || text.slice(5, 7) > '12' || text.slice(5, 7) === '00' || text.slice(8, 10) > '28' || text.slice(8, 10) === '00') return undefined;
  if (text.slice(11, 13) > '23' || text[14]! > '5' || text[17]! > '5') return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

// A message's timestamps are each read two or three times (the schema's date-time check, then
// the adapter), and a TransactionEvent or MeterValues repeats its time in every meter value:
// the last two texts read are remembered (a few percent of a meter message's CPU).
const recentTexts = ['', ''];
const recentMs: (number | undefined)[] = [undefined, undefined];
let nextSlot = 0;

function exactIsoMs(text: string): number | undefined {
  if (text === recentTexts[0]) return recentMs[0];
  if (text === recentTexts[1]) return recentMs[1];
  const ms = readExactIsoMs(text);
  recentTexts[nextSlot] = text;
  recentMs[nextSlot] = ms;
  nextSlot ^= 1;
  return ms;
}

/** Whether a station's text is a date-time this node reads (the schemas' date-time format). */
export function isTimestamp(text: string): boolean {
  return exactIsoMs(text) !== undefined || parseGenerally(text) !== undefined;
}

/** Parses a station timestamp leniently; undefined when it is not a date-time at all. */
export function parseTimestamp(text: string): Date | undefined {
  const exact = exactIsoMs(text);
  return exact !== undefined ? new Date(exact) : parseGenerally(text);
}

/** Any form but the exact one (which exactIsoMs reads). */
function parseGenerally(text: string): Date | undefined {
  return canonical(text) ?? parseLeniently(text);
}

function parseLeniently(text: string): Date | undefined {
  const m = ISO_8601.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '0', frac = '', , sign, oh = '0', om = '0'] = m;
  const ms = Number((frac + '000').slice(0, 3));
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const offsetMin = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) : 0;
  const date = new Date(utc - offsetMin * 60_000);
  // Reject impossible calendar values (2024-02-30) that Date.UTC silently rolls over.
  const check = new Date(utc);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) {
    return undefined;
  }
  return date;
}

/** How far a station clock may run ahead before a timestamp is flagged as implausible. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

/**
 * Normalises a station timestamp to ISO 8601 UTC, keeping the original text when it does
 * not parse so nothing the station said is lost. `suspect` flags times from the future or
 * before the station's last boot, which usually mean a clock that was never set.
 */
export function readStationTime(text: string, now: Date, bootedAt?: Date): { iso: string; suspect: boolean } {
  const exact = exactIsoMs(text);
  const ms = exact ?? parseGenerally(text)?.getTime();
  if (ms === undefined) return { iso: text, suspect: true };
  const suspect = ms > now.getTime() + FUTURE_TOLERANCE_MS || (bootedAt !== undefined && ms < bootedAt.getTime());
  return { iso: exact !== undefined ? text : new Date(ms).toISOString(), suspect };
}
