"use client";

import { useState } from "react";
import { useCan } from "../session/SessionProvider";
import { SaveTemplateDialog } from "./SaveTemplateDialog";

/** "Save as template" on a batch's page, for those who may manage templates; the dialog asks the rest. */
export function SaveTemplateButton({ batch }: { batch: Parameters<typeof SaveTemplateDialog>[0]["batch"] }) {
  const mayWrite = useCan("manageTemplates");
  const [open, setOpen] = useState(false);
  if (!mayWrite) return null;
  return (
    <p className="template-action">
      <button type="button" className="button" onClick={() => setOpen(true)}>
        Save as template
      </button>{" "}
      <span className="hint">Its priority, a name pattern and, if you like, its trades, to stage again later.</span>
      {open ? <SaveTemplateDialog batch={batch} onClose={() => setOpen(false)} /> : null}
    </p>
  );
}
