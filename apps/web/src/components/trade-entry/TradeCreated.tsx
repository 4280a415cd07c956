"use client";

import type { ErrorLike } from "@apollo/client";
import { useMutation } from "@apollo/client/react";
import Link from "next/link";
import { useState } from "react";
import type { BatchFieldsFragment } from "../../gql/graphql";
import { StartBatchMutation } from "../../graphql/batch";
import { describeError } from "../ui/QueryError";
import { BatchStatusBadge } from "../ui/StatusBadge";

/** The batch as createTrade answers it: whether Start must be confirmed by typing its batchUid. */
export type CreatedBatch = BatchFieldsFragment & {
  preview?: { confirmationRequired: boolean; confirmationReason?: string | null } | null;
};

/**
 * What the form made: the batch the trade is in, a link to it and, for a one-trade batch
 * that needs no approval, Start at once. The batch comes from the mutation's answer and then from the
 * cache, so a start shows here as it does on the batch's page.
 */
export function TradeCreated({ batch, alone, onAnother }: { tradeId: string; batch: CreatedBatch; alone: boolean; onAnother: () => void }) {
  const [startBatch, start] = useMutation(StartBatchMutation);
  const [failure, setFailure] = useState<ErrorLike | null>(null);
  const [started, setStarted] = useState<BatchFieldsFragment | null>(null);
  const shown = started ?? batch;
  const batchLink = (
    <Link href={`/batches/${batch.id}`} className="mono">
      {batch.batchUid}
    </Link>
  );
  // A batch large enough to need its batchUid typed before Start is started from its page, where that is asked.
  const confirmation = batch.preview?.confirmationRequired ? (batch.preview.confirmationReason ?? "it is large") : null;
  const startable =
    alone && !started && !confirmation && shown.status === "PENDING" && !shown.queuedAt && !(shown.approvalRequired && !shown.approvedAt);

  async function onStart() {
    setFailure(null);
    try {
      const { data } = await startBatch({ variables: { id: batch.id } });
      if (data?.startBatch) setStarted(data.startBatch);
    } catch (error) {
      setFailure(error as ErrorLike);
    }
  }

  const problem = failure ? describeError(failure) : null;
  return (
    <section className="panel trade-created" aria-labelledby="trade-created-title">
      <h2 id="trade-created-title">Trade created</h2>
      <p role="status">
        {alone ? <>The trade is in a batch of its own, {batchLink}</> : <>The trade was added to batch {batchLink}</>}, which holds{" "}
        {shown.totalTrades} {shown.totalTrades === 1 ? "trade" : "trades"} and is <BatchStatusBadge status={shown.status} />
        {started ? " (started: it runs as soon as the runner takes it)" : ""}.
      </p>
      {shown.approvalRequired && !shown.approvedAt ? (
        <p className="hint">It needs approval by a second person before it can start (four eyes).</p>
      ) : null}
      {alone && confirmation && !started ? (
        <p className="hint">Review and start it from its page: Start asks for its batchUid to be typed there ({confirmation}).</p>
      ) : null}
      {problem ? (
        <div className="alert alert-danger" role="alert">
          <strong>The batch could not be started.</strong> {problem.code ? <code>{problem.code}</code> : null} {problem.message}
        </div>
      ) : null}
      <div className="form-actions">
        {startable ? (
          <button type="button" className="button button-primary" disabled={start.loading} aria-busy={start.loading} onClick={onStart}>
            Start {batch.batchUid}
          </button>
        ) : null}
        <Link href={`/batches/${batch.id}`} className="button">
          Open batch {batch.batchUid}
        </Link>
        <button type="button" className="button" onClick={onAnother}>
          Enter another trade
        </button>
      </div>
    </section>
  );
}
