"use client";

import { useQuery, useSubscription } from "@apollo/client/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { writeBatchSnapshot } from "../../apollo/cache-writes";
import { BatchDetailQuery, BatchProgressSubscription } from "../../graphql/batch";
import { BATCH_STATUS_INFO, isFinalBatchStatus } from "../../lib/batch-status";
import { useFocusTarget } from "../../lib/use-focus-target";
import { useBatchFeed } from "../live/BatchFeed";
import { LiveIndicator } from "../live/LiveIndicator";
import { SaveTemplateButton } from "../templates/SaveTemplateButton";
import { AddTradeLink } from "../trade-entry/AddTradeLink";
import { PageIntro } from "../ui/PageIntro";
import { describeError, QueryError } from "../ui/QueryError";
import { AwaitingApprovalBadge, BatchStatusBadge } from "../ui/StatusBadge";
import { BankUnavailableNotice } from "./BankUnavailableNotice";
import { BatchActions } from "./BatchActions";
import { BatchResults } from "./BatchResults";
import { BatchReview } from "./BatchReview";
import { BatchSummary } from "./BatchSummary";
import { BatchTrades } from "./BatchTrades";
import { ThroughputChart } from "./ThroughputChart";
import { useLiveTrades } from "./use-live-trades";

export function BatchDetailView({ id }: { id: string }) {
  const router = useRouter();
  const [deleted, setDeleted] = useState<"here" | "elsewhere" | null>(null);
  // After an action or a retry from the results, both of which change the batch, the focus goes to the Actions heading.
  const actionsHeading = useFocusTarget<HTMLHeadingElement>();
  const { data, loading, error } = useQuery(BatchDetailQuery, {
    variables: { id },
    fetchPolicy: "cache-and-network",
    nextFetchPolicy: "cache-first",
    skip: deleted !== null,
  });
  const batch = data?.batch ?? null;
  // The address may name the batch by its batchUid (/batches/B-20261127-0002), which the query
  // takes too; the live streams and the deletion feed speak of the batch's id, known once it is read.
  const batchId = batch?.id ?? null;
  const final = batch ? isFinalBatchStatus(batch.status) : false;
  // An id that is not a batch id or batchUid at all may be answered BAD_USER_INPUT: to a reader that is "not found" too.
  const unknownId = error ? ["NOT_FOUND", "BAD_USER_INPUT"].includes(describeError(error).code ?? "") : false;

  const batchUid = batch?.batchUid;
  useEffect(() => {
    if (batchUid) document.title = `${batchUid} · FX Batch Trader`;
  }, [batchUid]);

  // Where this page's live streams start: the batch's event number when it was first read, so
  // nothing that happens between the read and the subscription is missed. Kept for the page's
  // life (variables that changed would subscribe anew); after a dropped connection each stream
  // resumes after the last event it received (live-socket.ts).
  const [start, setStart] = useState<{ id: string; sequence: number } | null>(null);
  const startSequence = batchId !== null && start?.id === batchId ? start.sequence : null;
  const readSequence = batch?.eventSequence;
  useEffect(() => {
    if (batchId !== null && readSequence !== undefined) {
      setStart((started) => (started?.id === batchId ? started : { id: batchId, sequence: readSequence }));
    }
  }, [batchId, readSequence]);

  // Coalesced counters of this batch. The server ends the stream once the batch is final, and a
  // retry makes it non-final again, which subscribes anew.
  useSubscription(BatchProgressSubscription, {
    variables: { id: batchId ?? "", afterSequence: startSequence },
    skip: batchId === null || startSequence === null || final || deleted !== null,
    fetchPolicy: "no-cache",
    ignoreResults: true,
    onData: ({ client, data: event }) => {
      const next = event.data?.batchProgress.batch;
      if (next) writeBatchSnapshot(client.cache, next);
    },
  });

  // Every trade transition of the batch; only the trades a table already holds are touched.
  useLiveTrades(batchId ?? "", startSequence, batchId === null || startSequence === null || deleted !== null);

  useBatchFeed((event) => {
    if (event.kind === "DELETED" && event.batch.id === batchId && deleted === null) setDeleted("elsewhere");
  });

  if (deleted) {
    return (
      <PageIntro
        title="Batch deleted"
        description={
          deleted === "here"
            ? "The batch and its trades were deleted. Returning to the batches…"
            : "This batch was deleted, with its trades."
        }
      >
        <Link href="/" className="button">
          Back to batches
        </Link>
      </PageIntro>
    );
  }

  if (!batch) {
    if (loading) return <p className="loading">Loading batch…</p>;
    if (error && !unknownId) return <QueryError error={error} what="the batch" />;
    return (
      <PageIntro title="Batch not found" description="There is no batch with this id or batchUid. It may have been deleted.">
        <Link href="/" className="button">
          Back to batches
        </Link>
      </PageIntro>
    );
  }

  return (
    <>
      <PageIntro
        title={batch.batchUid}
        subtitle={batch.name ?? <span className="muted">No name</span>}
        description={`Follow this batch live: the progress bar, counters and trade rows change as the bank answers. ${BATCH_STATUS_INFO[batch.status].description}`}
      >
        <div className="status-line">
          <BatchStatusBadge status={batch.status} />
          <AwaitingApprovalBadge batch={batch} />
          {batch.status === "PENDING" && batch.queuedAt ? <span className="cell-note">Queued</span> : null}
          {batch.cancelRequestedAt && !final ? <span className="cell-note">Cancelling…</span> : null}
          <LiveIndicator />
        </div>
        <AddTradeLink batch={batch} />
      </PageIntro>
      <QueryError error={error} what="the latest state of the batch" />
      <BankUnavailableNotice since={batch.bankUnavailableSince} />
      <div className="detail-grid">
        <BatchSummary batch={batch} />
        <BatchActions
          batch={batch}
          focusTarget={actionsHeading}
          onDeleted={() => {
            setDeleted("here");
            router.push("/");
          }}
        />
      </div>
      {batch.status === "PENDING" && !batch.queuedAt ? <BatchReview batchId={batch.id} /> : null}
      <SaveTemplateButton batch={batch} />
      {batch.startedAt ? <ThroughputChart batch={batch} /> : null}
      {final ? <BatchResults key={batch.completedAt ?? "final"} batch={batch} onRetried={actionsHeading.focusSoon} /> : null}
      <BatchTrades batch={batch} />
    </>
  );
}
