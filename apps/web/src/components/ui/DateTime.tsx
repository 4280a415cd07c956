import { formatDateAndTime, formatDateTime } from "../../lib/format";

interface DateTimeProps {
  value: string | null | undefined;
  empty?: string;
  /** Date over time, for table cells. */
  stacked?: boolean;
}

/** A UTC instant shown in UTC in the reader's locale, with the exact ISO value on hover. */
export function DateTime({ value, empty = "—", stacked = false }: DateTimeProps) {
  if (!value) return <span className="muted">{empty}</span>;
  const parts = stacked ? formatDateAndTime(value) : null;
  return (
    <time dateTime={value} title={value} className={parts ? "datetime-stacked" : undefined}>
      {parts ? (
        <>
          <span>{parts.date}</span> <span className="datetime-time">{parts.time}</span>
        </>
      ) : (
        formatDateTime(value)
      )}
    </time>
  );
}
