"use client";

import { runSeconds, tradesPerSecond } from "@fxbt/domain/run-figures";
import { useEffect, useState } from "react";
import type { BatchFieldsFragment } from "../../gql/graphql";
import { BATCH_STATUS_INFO, progressParts } from "../../lib/batch-status";
import { formatDuration, formatInteger } from "../../lib/format";
import { DateTime } from "../ui/DateTime";
import { ProgressBar } from "../ui/ProgressBar";

/** The time now, re-read every second while `running` (null until mounted: the server renders no clock). */
function useNow(running: boolean): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [running]);
  return now;
}

export function BatchSummary({ batch }: { batch: BatchFieldsFragment }) {
  const running = batch.status === "RUNNING";
  const now = useNow(running);
  // The domain's rules (run-figures.ts), as the API serves them: run time is the sum of the
  // batch's runs, and the rate counts only the trades the bank answered.
  const ran = batch.startedAt && now !== null ? runSeconds(batch, now) : null;
  const rate = now !== null ? tradesPerSecond(batch, now) : null;
  const counters = [
    { label: "Processed", value: batch.processedTrades, help: "Trades that reached a final status: booked, failed or cancelled." },
    { label: "Succeeded", value: batch.succeededTrades, help: "Trades the bank booked.", tone: "success" },
    {
      label: "Failed",
      value: batch.failedTrades,
      help: "Trades the bank refused; they can be retried once the batch has finished.",
      tone: "danger",
    },
    { label: "Cancelled", value: batch.cancelledTrades, help: "Trades stopped before any booking was sent.", tone: "muted" },
    { label: "Total", value: batch.totalTrades, help: "Trades in the batch." },
  ];

  return (
    <section className="panel batch-summary" aria-label="Progress">
      <ProgressBar
        progress={batch.progress}
        label="Batch progress"
        size="large"
        active={running}
        tone={BATCH_STATUS_INFO[batch.status].tone}
        parts={progressParts(batch)}
      />
      <dl className="counters">
        {counters.map((counter) => (
          <div key={counter.label} className={`counter${counter.tone ? ` counter-${counter.tone}` : ""}`} title={counter.help}>
            <dt>{counter.label}</dt>
            <dd>{formatInteger(counter.value)}</dd>
          </div>
        ))}
      </dl>
      <dl className="facts">
        <div>
          <dt>Created</dt>
          <dd>
            <DateTime value={batch.createdAt} />
          </dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>
            <DateTime value={batch.startedAt} empty={batch.queuedAt ? "Queued, waiting for the runner" : "Not started"} />
          </dd>
        </div>
        <div>
          <dt>Finished</dt>
          <dd>
            <DateTime value={batch.completedAt} />
          </dd>
        </div>
        <div>
          <dt title="The sum of the batch's runs: time in the queue and idle time before a retry are not counted">
            {running ? "Running for" : "Run time"}
          </dt>
          <dd className="tabular">{ran !== null ? formatDuration(ran) : <span className="muted">—</span>}</dd>
        </div>
        <div>
          <dt title="Trades the bank answered (booked or refused) per second of run time; cancelled trades are not counted">
            Trades per second
          </dt>
          <dd className="tabular">{rate !== null ? rate.toFixed(1) : <span className="muted">—</span>}</dd>
        </div>
        <div>
          <dt title="Higher runs first among queued batches">Priority</dt>
          <dd className="tabular">{batch.priority}</dd>
        </div>
        <div>
          <dt title="The person or API key that staged the batch">Staged by</dt>
          <dd className="cell-detail">{batch.stagedBy ?? <span className="muted">—</span>}</dd>
        </div>
        {batch.partner ? (
          <div>
            <dt title="Only this partner's people and keys, and the operations staff, see the batch">Partner</dt>
            <dd>{batch.partner}</dd>
          </div>
        ) : null}
      </dl>
    </section>
  );
}
