"use client";

import { useQuery } from "@apollo/client/react";
import Link from "next/link";
import { BatchByUidQuery } from "../../graphql/stage";
import { DUPLICATE_FILE_CODE, type DuplicateFile } from "../../lib/duplicate-file";
import { DateTime } from "../ui/DateTime";

/** The earlier batch by its batchUid, linked to its page once its id is known (pages are by id). */
function EarlierBatch({ batchUid }: { batchUid: string }) {
  const { data } = useQuery(BatchByUidQuery, { variables: { search: batchUid }, fetchPolicy: "network-only" });
  // The search also matches names and parts of ids: only the batch with exactly this uid is meant.
  const batch = data?.batches.edges.map((edge) => edge.node).find((node) => node.batchUid === batchUid);
  const uid = <span className="mono nowrap">{batchUid}</span>;
  return batch ? <Link href={`/batches/${batch.id}`}>{uid}</Link> : <strong>{uid}</strong>;
}

/**
 * The API refused the file because the same trades were staged lately (DUPLICATE_FILE): says
 * which batch holds them, and offers to stage them anyway, under a new idempotency key.
 */
export function DuplicateFileAlert({
  duplicate,
  fileName,
  busy,
  onStageAnyway,
}: {
  duplicate: DuplicateFile;
  fileName: string;
  busy: boolean;
  onStageAnyway: () => void;
}) {
  return (
    <div className="alert alert-warning duplicate-file" role="alert">
      <p>
        <strong>These trades were already staged.</strong> <code>{DUPLICATE_FILE_CODE}</code>
      </p>
      <p>
        {fileName} holds the same trades as{" "}
        {duplicate.batchUid ? (
          <>
            batch <EarlierBatch batchUid={duplicate.batchUid} />
          </>
        ) : (
          "a batch"
        )}
        {duplicate.stagedAt ? (
          <>
            , staged <DateTime value={duplicate.stagedAt} />
          </>
        ) : (
          " staged recently"
        )}
        . Nothing was saved.
      </p>
      {duplicate.batchUid ? null : <p className="small">{duplicate.message}</p>}
      <div className="form-actions">
        <button type="button" className="button button-primary" disabled={busy} aria-busy={busy} onClick={onStageAnyway}>
          Stage anyway
        </button>
        <span className="alert-note">Only if these trades are meant to run twice: a second batch is staged with the same trades.</span>
      </div>
    </div>
  );
}
