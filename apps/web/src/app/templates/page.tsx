import type { Metadata } from "next";
import { TemplatesView } from "../../components/templates/TemplatesView";
import { PageIntro } from "../../components/ui/PageIntro";

export const metadata: Metadata = { title: "Templates" };

export default function TemplatesPage() {
  return (
    <>
      <PageIntro
        title="Templates"
        description="Saved batch settings, and trades if saved with them, to stage new batches from. Save one from a batch's page. Stage batch opens New batch with the template chosen: one with trades stages them, value dates moved to the next good value date, unless you upload a file; one without stages the file you upload."
      />
      <TemplatesView />
    </>
  );
}
