import type { Metadata } from "next";
import { TemplatesView } from "../../components/templates/TemplatesView";
import { PageIntro } from "../../components/ui/PageIntro";

export const metadata: Metadata = { title: "Templates" };

export default function TemplatesPage() {
  return (
    <>
      <PageIntro
        title="Templates"
        description="Saved batch settings, and trades if saved with them, to stage new batches from. Save one from a batch's page; stage from one here: a template with trades stages them with value dates moved to the next good value date, one without stages a file you upload."
      />
      <TemplatesView />
    </>
  );
}
