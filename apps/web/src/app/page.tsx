import type { Metadata } from "next";
import { BatchesView } from "../components/batches/BatchesView";
import { VolumeChart } from "../components/batches/VolumeChart";
import { PageIntro } from "../components/ui/PageIntro";

export const metadata: Metadata = { title: { absolute: "Batches · FX Batch Trader" } };

export default function BatchesPage() {
  return (
    <>
      <PageIntro
        title="Batches"
        description="Every batch of FX trades, newest first. Progress bars and counters move live as the bank books trades; open a batch to start, cancel or retry it."
      />
      <VolumeChart />
      <BatchesView />
    </>
  );
}
