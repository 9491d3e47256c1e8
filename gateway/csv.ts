// RFC 4180 CSV for exports an operator opens in a spreadsheet and imports they saved from one.

// A cell a spreadsheet would run as a formula (a station chooses its idTags and transaction
// ids): written with a leading apostrophe, which spreadsheets show as text and import removes.
const FORMULA = /^[=+\-@\t\r]/;

/** A header of the given columns, then one line per row; fields quoted when they need it. */
export function toCsv<T extends object>(columns: readonly (keyof T & string)[], rows: readonly T[]): string {
  const field = (value: unknown): string => {
    let text = value === undefined || value === null ? '' : String(value);
    if (typeof value === 'string' && FORMULA.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [columns.join(','), ...rows.map((row) => columns.map((c) => field(row[c])).join(','))].join('\r\n') + '\r\n';
}

/** One record of a CSV file, with the file line it starts on (1: the first line). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Records of a CSV text (a byte order mark and empty lines skipped); a quoted field may hold
 * commas, quotes and line breaks. Throws, naming the line, when a quote is never closed.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const end = (): void => {
    fields.push(field.length > 1 && field[0] === "'" && FORMULA.test(field.slice(1)) ? field.slice(1) : field);
    field = '';
  };
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') end();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      end();
      if (fields.some((f) => f !== '')) records.push({ line: start, fields });
      fields = [];
      line++;
      start = line;
    } else field += c;
  }
  if (quoted) throw new Error(`line ${start}: a quoted field is never closed`);
  if (field !== '' || fields.length) {
    end();
    if (fields.some((f) => f !== '')) records.push({ line: start, fields });
  }
  return records;
}
