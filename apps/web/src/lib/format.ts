/**
 * Formatting that reads the same everywhere on the page: the user's locale, numbers
 * aligned, and times in UTC (the product's time, and the same on the server's first
 * render as in the browser), marked as such.
 */

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });
const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: "medium", timeZone: "UTC" });
const integerFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${dateTimeFormat.format(date)} UTC`;
}

/** The date and the time apart, for narrow table cells that show them on two lines. */
export function formatDateAndTime(iso: string): { date: string; time: string } | null {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  return { date: dateFormat.format(date), time: `${timeFormat.format(date)} UTC` };
}

export function formatInteger(value: number): string {
  return integerFormat.format(value);
}

/**
 * Decimal amounts arrive as exact strings; grouping the integer digits by hand keeps
 * every digit (a float conversion could round amounts up to 10^12 with cents).
 */
export function formatDecimal(value: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match) return value;
  const [, sign = "", whole = "", fraction] = match;
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${grouped}${fraction !== undefined ? `.${fraction}` : ""}`;
}

/** 0..1 → whole percent 0..100, never above 100 nor below 0. */
export function toPercent(progress: number): number {
  if (!Number.isFinite(progress)) return 0;
  return Math.min(100, Math.max(0, Math.round(progress * 100)));
}

/** 75 → "1 min 15 s"; 3725 → "1 h 2 min 5 s". */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h} h ${m} min ${s} s`;
  if (m > 0) return `${m} min ${s} s`;
  return `${s} s`;
}

/** Turns a date input's "YYYY-MM-DD" into the first or last instant of that UTC day. */
export function dateInputToIso(value: string, edge: "start" | "end"): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  return edge === "start" ? `${value}T00:00:00.000Z` : `${value}T23:59:59.999Z`;
}

/** The first letter up and a full stop: the API's and the domain's reasons are written to follow "because". */
export function asSentence(reason: string): string {
  const text = reason.charAt(0).toUpperCase() + reason.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
