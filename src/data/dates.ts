/**
 * Dates and times as numbers: days since 1970-01-01 UTC, fractional for times of day. The CSV
 * loader reads date columns into this form (csv-dates.ts decides which columns and layout), and
 * preprocess derives features from it (date-features.ts). The calendar arithmetic is integer
 * (proleptic Gregorian, after Howard Hinnant's days_from_civil), so no time zone or locale of the
 * machine running medpipe can change a value.
 */

export const MS_PER_DAY = 86_400_000;

/** Days from 1970-01-01 to the civil date y-m-d (month 1..12, day 1..31). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a whole number of days since 1970-01-01. */
export function civilFromDays(z: number): { year: number; month: number; day: number } {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** The parts of a date or date-time as written; `offset` is minutes east of UTC (0 when none is written). */
export interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  offset: number;
}

/** Days since 1970-01-01 UTC of `p`, or NaN when it is not a real date and time (2025-02-30, 25:00). */
export function partsToDays(p: DateParts): number {
  if (p.month < 1 || p.month > 12 || p.day < 1 || p.day > daysInMonth(p.year, p.month)) return NaN;
  if (p.hour > 23 || p.minute > 59 || p.second > 59 || Math.abs(p.offset) > 18 * 60) return NaN;
  const ms = ((p.hour * 60 + p.minute - p.offset) * 60 + p.second) * 1000 + p.millis;
  return daysFromCivil(p.year, p.month, p.day) + ms / MS_PER_DAY;
}

/**
 * ISO 8601 as tables write it: `YYYY-MM-DD`, optionally `T` or a space and `HH:MM[:SS[.fff]]`,
 * optionally `Z` or an offset `±HH:MM` (or `±HHMM`). A date-time without an offset is taken as UTC.
 */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The parts of an ISO 8601 value, or undefined when it is not shaped like one. */
export function matchIso(s: string): DateParts | undefined {
  const m = ISO.exec(s);
  if (!m) return undefined;
  let offset = 0;
  const z = m[8];
  if (z !== undefined && z !== 'Z') {
    const digits = z.slice(1).replace(':', '');
    offset = (z[0] === '-' ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
    if (Number(digits.slice(2)) > 59) offset = Infinity;
  }
  return {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: m[4] === undefined ? 0 : Number(m[4]),
    minute: m[5] === undefined ? 0 : Number(m[5]),
    second: m[6] === undefined ? 0 : Number(m[6]),
    millis: m[7] === undefined ? 0 : Math.round(Number(`0.${m[7]}`) * 1000),
    offset,
  };
}

/** Day and month as numbers, then a 4-digit year, separated by one of `/ - .` used twice alike. */
const DAY_MONTH = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/;

/** The two leading numbers of a `DD/MM/YYYY` or `MM/DD/YYYY` value, or undefined when it is not shaped like one. */
export function matchDayMonth(s: string): { first: number; second: number; year: number } | undefined {
  const m = DAY_MONTH.exec(s);
  return m ? { first: Number(m[1]), second: Number(m[3]), year: Number(m[4]) } : undefined;
}

/**
 * A user's `formats:` entry: a strptime-like pattern of %Y (4-digit year), %m, %d, %H, %M, %S
 * (1 or 2 digits) and literal characters, e.g. `%d/%m/%Y` or `%d.%m.%Y %H:%M`.
 */
export interface DatePattern {
  readonly source: string;
  readonly regex: RegExp;
  readonly fields: readonly string[];
}

/** Compiles a pattern; a message saying what is wrong with it when it cannot be used. */
export function compilePattern(source: string): DatePattern | string {
  let re = '^';
  const fields: string[] = [];
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c !== '%') {
      re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      continue;
    }
    const f = source[++i];
    if (f === undefined || !'YmdHMS'.includes(f)) return `unsupported directive "%${f ?? ''}" (use %Y %m %d %H %M %S)`;
    if (fields.includes(f)) return `"%${f}" appears twice`;
    fields.push(f);
    re += f === 'Y' ? '(\\d{4})' : '(\\d{1,2})';
  }
  for (const need of ['Y', 'm', 'd']) if (!fields.includes(need)) return `it needs %Y, %m and %d (it has no %${need})`;
  return { source, regex: new RegExp(`${re}$`), fields };
}

/** The parts of `s` read with `pattern` (UTC), or undefined when it does not match it. */
export function matchPattern(s: string, pattern: DatePattern): DateParts | undefined {
  const m = pattern.regex.exec(s);
  if (!m) return undefined;
  const v: Record<string, number> = { Y: 0, m: 0, d: 0, H: 0, M: 0, S: 0 };
  pattern.fields.forEach((f, k) => (v[f] = Number(m[k + 1])));
  return { year: v.Y, month: v.m, day: v.d, hour: v.H, minute: v.M, second: v.S, millis: 0, offset: 0 };
}

/** How a date column's values are written: ISO 8601, day first, month first, or a user's pattern. */
export type DateLayout =
  | { readonly type: 'iso' }
  | { readonly type: 'dmy' }
  | { readonly type: 'mdy' }
  | { readonly type: 'pattern'; readonly pattern: DatePattern };

/** Days since 1970-01-01 UTC of `s` written in `layout`; NaN when it is not a valid date in that layout. */
export function parseDate(s: string, layout: DateLayout): number {
  const t = s.trim();
  let parts: DateParts | undefined;
  if (layout.type === 'iso') parts = matchIso(t);
  else if (layout.type === 'pattern') parts = matchPattern(t, layout.pattern);
  else {
    const dm = matchDayMonth(t);
    if (dm)
      parts = {
        year: dm.year,
        month: layout.type === 'dmy' ? dm.second : dm.first,
        day: layout.type === 'dmy' ? dm.first : dm.second,
        hour: 0,
        minute: 0,
        second: 0,
        millis: 0,
        offset: 0,
      };
  }
  return parts ? partsToDays(parts) : NaN;
}

/** A day count as ISO 8601 text: `YYYY-MM-DD`, with `THH:MMZ` (and seconds) when it has a time of day. */
export function formatDays(days: number): string {
  const whole = Math.floor(days);
  const { year, month, day } = civilFromDays(whole);
  const date = `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
  const ms = Math.round((days - whole) * MS_PER_DAY);
  if (ms === 0) return date;
  const s = Math.floor(ms / 1000);
  const sec = s % 60;
  return `${date}T${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}${sec ? `:${pad2(sec)}` : ''}Z`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
