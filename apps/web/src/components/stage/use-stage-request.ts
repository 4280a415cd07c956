"use client";

import { useMutation } from "@apollo/client/react";
import { StageBatchMutation } from "../../graphql/stage";
import { StageBatchFromTemplateMutation } from "../../graphql/templates";
import type { RowError } from "./RowErrorsTable";

/** One staging as the New batch form sends it. */
export interface StageRequest {
  /** The template whose settings (and, without a file, rows) are staged; null stages the file alone. */
  templateId: string | null;
  /** The file's text; null stages the template's own rows. Without a template the form asks for a file first. */
  csv: string | null;
  /** Null: the API names the batch (a template's pattern rendered now, or no name). */
  name: string | null;
  priority: number;
  allowDuplicate: boolean;
  idempotencyKey: string;
}

/** What the API answered: the staged batch's id, or why nothing was staged (row errors, a duplicate). */
export interface StageAnswer {
  batchId: string | null;
  errors: readonly RowError[];
}

function answerOf(payload: { batch?: { id: string } | null; errors: readonly RowError[] } | undefined): StageAnswer {
  return { batchId: payload?.batch?.id ?? null, errors: payload?.errors ?? [] };
}

/**
 * Sends a staging: stageBatch for a file, stageBatchFromTemplate with a template. Both stage the same
 * way and answer alike, so the form handles one answer whichever it sent. Failed requests throw.
 */
export function useStageRequest(): { send: (request: StageRequest) => Promise<StageAnswer>; loading: boolean } {
  const [stageFile, fileStaging] = useMutation(StageBatchMutation);
  const [stageFromTemplate, templateStaging] = useMutation(StageBatchFromTemplateMutation);

  async function send({ templateId, csv, ...fields }: StageRequest): Promise<StageAnswer> {
    if (templateId) {
      const { data } = await stageFromTemplate({ variables: { input: { templateId, csv, ...fields } } });
      return answerOf(data?.stageBatchFromTemplate);
    }
    // An empty text is an empty file to the API, refused as such: the form never sends one.
    const { data } = await stageFile({ variables: { input: { csv: csv ?? "", ...fields } } });
    return answerOf(data?.stageBatch);
  }

  return { send, loading: fileStaging.loading || templateStaging.loading };
}
