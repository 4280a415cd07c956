"use client";

import { tradeAdditionProblem } from "@fxbt/domain/trade-entry";
import Link from "next/link";
import type { BatchFieldsFragment } from "../../gql/graphql";
import { principalAllows } from "../../lib/access";
import { useViewer } from "../session/SessionProvider";

/**
 * "Add a trade" on a staged batch's page, for those who may stage, while the batch takes trades
 * (the domain's rule, as the API applies it; the API's limit on a batch's size is left to the API).
 */
export function AddTradeLink({ batch }: { batch: BatchFieldsFragment }) {
  const viewer = useViewer();
  if (!viewer || !principalAllows(viewer, "stage") || tradeAdditionProblem(batch, Number.MAX_SAFE_INTEGER) !== null) return null;
  return (
    <Link href={`/trades/new?batch=${encodeURIComponent(batch.id)}`} className="button">
      Add a trade
    </Link>
  );
}
