import type { RowError } from "./csv";

/**
 * The problems of one file: keeps the first `max` (in the order they are added) and counts the rest, so a
 * file with a problem in every cell costs no more memory than one with `max` problems.
 */
export class CappedErrors {
  private readonly kept: RowError[] = [];
  /** Every problem added, kept or not. */
  total = 0;

  constructor(private readonly max: number) {}

  add(error: RowError): void {
    this.total++;
    if (this.kept.length < this.max) this.kept.push(error);
  }

  /** The kept problems, followed by one file-level error giving the total when some were left out. */
  list(): RowError[] {
    if (this.total > this.kept.length) {
      this.kept.push({
        row: null,
        field: null,
        message:
          `${formatCount(this.kept.length)} of ${formatCount(this.total)} problems are listed; ` +
          "fix these and upload the file again to see the rest",
      });
    }
    return this.kept;
  }
}

/** A count as the messages write it: 10,000. */
export function formatCount(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
