import {
  type BatchTemplateRow,
  batchInstructions,
  countTemplateStaging,
  type Database,
  deleteBatchTemplate,
  findBatch,
  findBatchByUid,
  findBatchTemplate,
  insertBatchTemplate,
  isTemplateNameTaken,
  pageBatchTemplates,
  renameBatchTemplate,
  templateRows,
} from "@fxbt/db";
import {
  type BatchView,
  canSeeBatch,
  isBatchUid,
  namePatternProblem,
  patternNamesLengthProblem,
  type RowError,
  renderNamePattern,
  rollValueDates,
  templateNameProblem,
  templateRowsCsv,
} from "@fxbt/domain";
import { apiError, checkStorableText, notFound } from "../errors";
import { checkId, isUuid } from "../ids";
import { actorOf } from "./access";
import { type AuditAction, recordAudit } from "./audit";
import type { Acting, BatchCommands } from "./batch-commands";
import { type Connection, checkPageSize, cursorPart, decodeCursor, encodeCursor, toConnection } from "./pagination";

/** A template as the API serves it (its rows stay in the database; rowCount says how many). */
export interface BatchTemplateView {
  id: string;
  name: string;
  namePattern: string | null;
  priority: number;
  hasRows: boolean;
  rowCount: number;
  sourceBatchUid: string | null;
  partner: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  stagedCount: number;
  lastStagedAt: string | null;
}

/** A template has rows exactly when it counted some: a batch never has none. */
const viewOf = (row: BatchTemplateRow): BatchTemplateView => ({
  id: row.id,
  name: row.name,
  namePattern: row.namePattern,
  priority: row.priority,
  hasRows: row.rowCount > 0,
  rowCount: row.rowCount,
  sourceBatchUid: row.sourceBatchUid,
  partner: row.partner,
  createdBy: row.createdBy,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  stagedCount: row.stagedCount,
  lastStagedAt: row.lastStagedAt?.toISOString() ?? null,
});

export interface SaveBatchTemplateInput {
  batchId: string;
  name: string;
  namePattern?: string | null;
  includeRows: boolean;
}

export interface StageFromTemplateInput {
  templateId: string;
  name?: string | null;
  priority?: number | null;
  csv?: string | null;
  idempotencyKey?: string | null;
  allowDuplicate?: boolean | null;
}

export interface TemplateListArgs {
  first: number;
  after?: string | null;
  search?: string | null;
}

export interface TemplateServiceDeps {
  database: Database;
  commands: BatchCommands;
  now?: () => Date;
}

/** How often a staging is tried again when another staging from the same template took its {n} first. */
const STAGING_ATTEMPTS = 5;

/** Thrown inside a staging transaction to roll it back: another staging counted first. */
class StagingCountMoved extends Error {}

const badInput = (argument: string, message: string) => apiError("BAD_USER_INPUT", message, { argument });

/**
 * Batch templates: saved, listed, renamed and deleted by their owner (a partner, or the staff of no
 * partner: another owner's template is NOT_FOUND), each change audited; and staged from, through
 * BatchCommands.stageBatch, the one staging path: a template's rows become an upload file.
 */
export class TemplateService {
  constructor(private readonly deps: TemplateServiceDeps) {}

  async list(partner: string | null, { first, after, search }: TemplateListArgs): Promise<Connection<BatchTemplateView>> {
    checkPageSize(first);
    const cursor = after ? decodeCursor(after, [cursorPart.text]) : null;
    checkStorableText(search, "search");
    const { rows, totalCount } = await pageBatchTemplates(this.deps.database.prisma, {
      partner,
      first,
      afterName: (cursor?.[0] as string | undefined) ?? null,
      search: search?.trim() || null,
    });
    return toConnection(rows.map(viewOf), first, totalCount, (template) => encodeCursor([template.name.toLowerCase()]));
  }

  async byId(partner: string | null, id: string): Promise<BatchTemplateView | null> {
    if (!isUuid(id)) return null;
    const row = await findBatchTemplate(this.deps.database.prisma, id, partner);
    return row && viewOf(row);
  }

  async save(input: SaveBatchTemplateInput, acting: Acting): Promise<BatchTemplateView> {
    const name = this.checkName(input.name, "input.name");
    const namePattern = input.namePattern == null ? null : input.namePattern.trim();
    if (namePattern !== null) {
      const problem = namePatternProblem(namePattern) ?? patternNamesLengthProblem(namePattern, name);
      if (problem) throw badInput("input.namePattern", problem);
    }
    const { caller } = acting;
    const prisma = this.deps.database.prisma;
    const batch = isBatchUid(input.batchId)
      ? await findBatchByUid(prisma, input.batchId)
      : await findBatch(prisma, checkId("batch", input.batchId));
    if (!batch || !canSeeBatch(caller, batch)) throw notFound("batch", input.batchId);
    return this.named(name, "input.name", async () => {
      // The batch and its trades read in one snapshot (REPEATABLE READ): a deleteBatch that commits
      // meanwhile changes neither (the template has every trade), and one that went first is
      // NOT_FOUND here, never a template of no rows. Nothing locks the batch, whose row the
      // runner's moves take (FOR UPDATE) for as long as reading 100,000 trades would hold it.
      const saved = await prisma.$transaction(
        async (tx) => {
          const current = await findBatch(tx, batch.id);
          if (!current) throw notFound("batch", input.batchId);
          const rows = input.includeRows ? await batchInstructions(tx, current) : null;
          const template = await insertBatchTemplate(tx, {
            name,
            namePattern,
            priority: current.priority,
            rows,
            sourceBatchUid: batch.batchUid,
            partner: caller.partner,
            createdById: caller.id,
            createdBy: caller.name,
          });
          await this.audit(tx, acting, "SAVE_TEMPLATE", template, {
            batchId: batch.id,
            detail: `${name} from ${batch.batchUid}${rows ? ` with ${rows.length} rows` : ", settings only"}`,
          });
          return template;
        },
        { isolationLevel: "RepeatableRead" },
      );
      return viewOf(saved);
    });
  }

  async rename(id: string, newName: string, acting: Acting): Promise<BatchTemplateView> {
    const name = this.checkName(newName, "name");
    const partner = acting.caller.partner;
    checkId("template", id);
    return this.named(name, "name", async () => {
      const renamed = await this.deps.database.prisma.$transaction(async (tx) => {
        const before = await findBatchTemplate(tx, id, partner);
        // The new name is what {template} becomes: the pattern's names must still fit a batch.
        const tooLong = before && patternNamesLengthProblem(before.namePattern, name);
        if (tooLong) throw badInput("name", tooLong);
        const row = before && (await renameBatchTemplate(tx, id, partner, name));
        if (!before || !row) throw notFound("template", id);
        await this.audit(tx, acting, "RENAME_TEMPLATE", row, { detail: `${before.name} → ${name}` });
        return row;
      });
      return viewOf(renamed);
    });
  }

  async delete(id: string, acting: Acting): Promise<string> {
    checkId("template", id);
    await this.deps.database.prisma.$transaction(async (tx) => {
      const deleted = await deleteBatchTemplate(tx, id, acting.caller.partner);
      if (!deleted) throw notFound("template", id);
      await this.audit(tx, acting, "DELETE_TEMPLATE", deleted, { detail: deleted.name });
    });
    return id;
  }

  /**
   * Stages a batch with the template's settings: from `csv` when given (the template's rows, if any,
   * are then not used), otherwise from its rows, each value date that has passed or is not a good
   * value date moved to the next good one. The name is `name` when given, else the template's pattern
   * rendered now. Staging is BatchCommands.stageBatch's: the same validation, repeats and audit.
   */
  async stage(input: StageFromTemplateInput, acting: Acting): Promise<{ batch: BatchView | null; errors: RowError[] }> {
    const partner = acting.caller.partner;
    checkId("template", input.templateId);
    const prisma = this.deps.database.prisma;
    for (let attempt = 1; ; attempt++) {
      const template = await findBatchTemplate(prisma, input.templateId, partner);
      if (!template) throw notFound("template", input.templateId);
      const now = this.deps.now?.() ?? new Date();
      const { csv, rolled } = await this.csvOf(template, input.csv ?? null, now);
      const n = template.stagedCount + 1;
      const name = input.name?.trim() || renderNamePattern(template.namePattern, { now, n, template: template.name });
      try {
        return await this.deps.commands.stageBatch(
          {
            csv,
            name,
            priority: input.priority ?? template.priority,
            idempotencyKey: input.idempotencyKey,
            allowDuplicate: input.allowDuplicate,
          },
          acting,
          {
            note: `from template ${template.name}${rolled > 0 ? `, ${rolled} value date${rolled === 1 ? "" : "s"} rolled forward` : ""}`,
            onStaged: async (tx) => {
              if ((await countTemplateStaging(tx, template.id, template.stagedCount)) === null) throw new StagingCountMoved();
            },
          },
        );
      } catch (error) {
        if (!(error instanceof StagingCountMoved) || attempt >= STAGING_ATTEMPTS) throw error;
      }
    }
  }

  /** The file to stage: the caller's, or the template's rows rolled to good value dates. */
  private async csvOf(template: BatchTemplateRow, csv: string | null, now: Date): Promise<{ csv: string; rolled: number }> {
    // A blank file is still the file asked for: staged, it is refused as empty, as stageBatch refuses it, never swapped for the rows.
    if (csv !== null) return { csv, rolled: 0 };
    const rows = template.rowCount > 0 ? await templateRows(this.deps.database.prisma, template.id, template.partner) : null;
    // A template read with rows whose rows are gone was deleted in between: NOT_FOUND, as a moment later.
    if (!rows && template.rowCount > 0) throw notFound("template", template.id);
    if (!rows) {
      throw badInput("input.csv", `template ${JSON.stringify(template.name)} has no rows: upload a CSV file to stage with its settings`);
    }
    const today = now.toISOString().slice(0, 10);
    const rolled = rollValueDates(rows, today);
    return { csv: templateRowsCsv(rolled.rows), rolled: rolled.rolled };
  }

  private checkName(name: string, argument: string): string {
    const problem = templateNameProblem(name);
    if (problem) throw badInput(argument, `${argument === "name" ? "" : "input."}${problem}`);
    return name.trim();
  }

  /** Runs a write that sets a template's name: a name its owner already uses is BAD_USER_INPUT naming the field. */
  private async named<T>(name: string, argument: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (!isTemplateNameTaken(error)) throw error;
      const message = `${argument}: a template named ${JSON.stringify(name)} already exists; template names are unique, whatever their case`;
      throw apiError("BAD_USER_INPUT", message, { argument });
    }
  }

  private audit(
    tx: Parameters<typeof recordAudit>[0],
    acting: Acting,
    action: AuditAction,
    template: BatchTemplateRow,
    entry: { batchId?: string; detail: string },
  ): Promise<void> {
    return recordAudit(tx, actorOf(acting.caller, acting.address), {
      action,
      outcome: "SUCCEEDED",
      subject: `template ${template.id}`,
      batchId: entry.batchId ?? null,
      detail: entry.detail,
    });
  }
}
