import type { StatusInfo } from "../../lib/batch-status";
import { toPercent } from "../../lib/format";

interface ProgressBarProps {
  /** 0..1 */
  progress: number;
  label: string;
  size?: "small" | "large";
  /** Animates the stripe while trades are being worked. */
  active?: boolean;
  /** Colour of the fill; the status badge beside it says the same in words. */
  tone?: StatusInfo["tone"];
}

export function ProgressBar({ progress, label, size = "small", active = false, tone = "progress" }: ProgressBarProps) {
  const percent = toPercent(progress);
  return (
    <div className={`progress progress-${size} fill-${tone}`}>
      <div
        className={`progress-track${active ? " progress-active" : ""}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent}%`}
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="progress-value" aria-hidden="true">
        {percent}%
      </span>
    </div>
  );
}
