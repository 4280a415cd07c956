import type { Metadata } from "next";
import { RequireRole } from "../../../components/session/RequireRole";
import { NewTradeForm } from "../../../components/trade-entry/NewTradeForm";
import { PageIntro } from "../../../components/ui/PageIntro";

export const metadata: Metadata = { title: "New trade" };

/** `?batch=<id>` preselects a staged batch (its page links here so). */
export default async function NewTradePage({ searchParams }: { searchParams: Promise<{ batch?: string | string[] }> }) {
  const { batch } = await searchParams;
  return (
    <RequireRole operation="stage" title="New trade">
      <PageIntro
        title="New trade"
        description="Enter one trade by hand, into a staged batch or into a batch of its own. It is checked by the same rules as a CSV row: each problem is shown at its field, and nothing is saved until every field is right."
      />
      <NewTradeForm initialBatchId={typeof batch === "string" && batch !== "" ? batch : null} />
    </RequireRole>
  );
}
