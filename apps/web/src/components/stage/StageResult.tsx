import type { ErrorLike } from "@apollo/client";
import { CombinedGraphQLErrors } from "@apollo/client/errors";
import type { DuplicateFile } from "../../lib/duplicate-file";
import { describeError } from "../ui/QueryError";
import { DuplicateFileAlert } from "./DuplicateFileAlert";
import { type RowError, RowErrorsTable } from "./RowErrorsTable";

/** What was staged: a file (its name), or a template's own rows (the template's name). */
export type StagedSource = { file: string } | { templateRows: string };

/**
 * Why a staging staged nothing, whether a file or a template's rows was sent: a failed request,
 * the trades a recent batch already holds (with "Stage anyway"), or every row's problems.
 */
export function StageResult({
  source,
  requestError,
  rowErrors,
  duplicate,
  busy,
  onStageAnyway,
}: {
  source: StagedSource;
  /** A failed request, unless it is shown elsewhere (a priority problem is shown at the field). */
  requestError: ErrorLike | null;
  rowErrors: readonly RowError[] | null;
  duplicate: DuplicateFile | null;
  busy: boolean;
  onStageAnyway: () => void;
}) {
  const problem = requestError ? describeError(requestError) : null;
  const sourceName = "file" in source ? source.file : `The template “${source.templateRows}”`;
  return (
    <div id="stage-result">
      {problem ? (
        <div className="alert alert-danger" role="alert">
          <strong>The batch could not be staged.</strong> {problem.code ? <code>{problem.code}</code> : null} {problem.message}{" "}
          {CombinedGraphQLErrors.is(requestError)
            ? "Nothing was saved."
            : "Staging again is safe: the same upload is sent under the same key, so it is never staged twice."}
        </div>
      ) : null}
      {duplicate ? (
        <DuplicateFileAlert duplicate={duplicate} fileName={sourceName} busy={busy} onStageAnyway={onStageAnyway} />
      ) : rowErrors ? (
        <>
          <div className="alert alert-danger" role="alert">
            <strong>
              {rowErrors.length === 1 ? "1 problem was" : `${rowErrors.length} problems were`} found in{" "}
              {"file" in source ? source.file : `the rows of the template “${source.templateRows}”`}. Nothing was saved.
            </strong>{" "}
            {"file" in source
              ? "Fix every row listed below and stage the file again."
              : "Stage a corrected file with the template's settings instead: choose it above."}
          </div>
          <RowErrorsTable errors={rowErrors} />
        </>
      ) : null}
    </div>
  );
}
