// Options the CLI's commands share.
/** A time option as ISO 8601; null (said on stderr) when it is not a time. */
export function optionTime(flag: string, value: string | undefined): string | undefined | null {
  if (value === undefined) return undefined;
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) {
    console.error(`${flag}: not a time: ${value} (e.g. 2026-12-24T02:00:00Z)`);
    return null;
  }
  return t.toISOString();
}
