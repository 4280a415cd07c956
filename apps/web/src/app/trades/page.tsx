import type { Metadata } from "next";
import { TradeHistoryView } from "../../components/trades/TradeHistoryView";
import { PageIntro } from "../../components/ui/PageIntro";

export const metadata: Metadata = { title: "Trades" };

export default function TradesPage() {
  return (
    <>
      <PageIntro
        title="Trades"
        description="Every trade across all batches, newest first. Search by client, account, reference, quote or transaction id; open a trade's batch from its link."
      />
      <TradeHistoryView />
    </>
  );
}
