import type { Metadata } from "next";
import { RequireRole } from "../../../components/session/RequireRole";
import { CsvRules } from "../../../components/stage/CsvRules";
import { StageBatchForm } from "../../../components/stage/StageBatchForm";
import { PageIntro } from "../../../components/ui/PageIntro";

export const metadata: Metadata = { title: "New batch" };

export default function NewBatchPage() {
  return (
    <RequireRole operation="stage" title="New batch">
      <PageIntro
        title="New batch"
        description="Upload a CSV of trades, or stage a template: its rows, or a file with its settings. Every row is checked first: if any row is wrong you get the full list of problems and nothing is saved. A valid file becomes a pending batch that you start from its page."
      />
      <div className="two-columns">
        <StageBatchForm />
        <CsvRules />
      </div>
    </RequireRole>
  );
}
