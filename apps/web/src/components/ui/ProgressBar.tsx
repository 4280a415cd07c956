import type { StatusInfo } from "../../lib/batch-status";
import { formatInteger, toPercent } from "../../lib/format";

/** One part of the bar: trades that ended one way (booked, failed, cancelled). */
export interface ProgressPart {
  label: string;
  count: number;
  tone: "success" | "danger" | "muted";
}

interface ProgressBarProps {
  /** 0..1 */
  progress: number;
  label: string;
  size?: "small" | "large";
  /** Animates the stripe while trades are being worked. */
  active?: boolean;
  /** Colour of the fill; the status badge beside it says the same in words. */
  tone?: StatusInfo["tone"];
  /**
   * How the processed trades ended, out of `total`: the fill is cut into these parts (each its
   * own colour and pattern, and named in the bar's accessible text), so a cancelled batch shows
   * what was booked before the cancel and what was cancelled.
   */
  parts?: { items: readonly ProgressPart[]; total: number };
}

/** "40% processed: 30 booked, 2 failed, 8 cancelled of 100" — the bar in words. */
export function progressText(percent: number, parts: ProgressBarProps["parts"]): string {
  if (!parts) return `${percent}%`;
  const shown = parts.items.filter((part) => part.count > 0);
  const detail = shown.length > 0 ? `: ${shown.map((part) => `${formatInteger(part.count)} ${part.label}`).join(", ")}` : "";
  return `${percent}% processed${detail} of ${formatInteger(parts.total)}`;
}

export function ProgressBar({ progress, label, size = "small", active = false, tone = "progress", parts }: ProgressBarProps) {
  const percent = toPercent(progress);
  const text = progressText(percent, parts);
  return (
    <div className={`progress progress-${size} fill-${tone}`} title={parts ? text : undefined}>
      <div
        className={`progress-track${active ? " progress-active" : ""}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={text}
      >
        {parts && parts.total > 0 ? (
          <div className="progress-parts">
            {parts.items.map((part) =>
              part.count > 0 ? (
                <div
                  key={part.label}
                  className={`progress-part part-${part.tone}`}
                  data-part={part.label}
                  style={{ width: `${(100 * part.count) / parts.total}%` }}
                />
              ) : null,
            )}
          </div>
        ) : (
          <div className="progress-fill" style={{ width: `${percent}%` }} />
        )}
      </div>
      <span className="progress-value" aria-hidden="true">
        {percent}%
      </span>
    </div>
  );
}
