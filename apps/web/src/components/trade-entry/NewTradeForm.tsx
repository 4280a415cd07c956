"use client";

import type { ErrorLike } from "@apollo/client";
import { useMutation, useQuery } from "@apollo/client/react";
import { activeCurrencyCodes } from "@fxbt/domain/currencies";
import { tradeAdditionProblem } from "@fxbt/domain/trade-entry";
import { type FormEvent, useId, useMemo, useRef, useState } from "react";
import type { BatchFieldsFragment } from "../../gql/graphql";
import { BatchDetailQuery } from "../../graphql/batch";
import { CreateTradeMutation, PendingBatchesQuery } from "../../graphql/trade-entry";
import { findDuplicateFile } from "../../lib/duplicate-file";
import { newIdempotencyKey } from "../../lib/idempotency";
import { DuplicateFileAlert } from "../stage/DuplicateFileAlert";
import { describeError } from "../ui/QueryError";
import { EMPTY_TRADE, TRADE_FIELDS, type TradeFieldSpec, type TradeFormValues } from "./fields";
import { type CreatedBatch, TradeCreated } from "./TradeCreated";

/** The most trades a batch may hold, as the API's default limit (a full batch is refused by the API anyway). */
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/** A batch the trade may be added to: staged, never started, not being cancelled, not approved (the API's own rule). */
const takesTrades = (batch: BatchFieldsFragment) => tradeAdditionProblem(batch, NO_LIMIT) === null;

interface RowError {
  row?: number | null;
  field?: string | null;
  message: string;
}

/** The API's and the domain's wording starts with a column's name; a sentence on the page starts with a capital. */
const sentence = (message: string) => message.charAt(0).toUpperCase() + message.slice(1);

/**
 * One submission of these values into this batch: its idempotency key is kept while its answer is
 * not known (a double click, a retry after a lost answer), so the API makes the trade at most once.
 */
interface Submission {
  signature: string;
  key: string;
}

const CURRENCIES = activeCurrencyCodes();

/**
 * The new-trade form: a batch (a staged one, or a new one-trade batch) and the trade's fields,
 * checked by the API with the CSV's rules; each field's problem is shown at the field.
 */
export function NewTradeForm({ initialBatchId }: { initialBatchId: string | null }) {
  const formId = useId();
  const [values, setValues] = useState<TradeFormValues>(EMPTY_TRADE);
  const [batchId, setBatchId] = useState(initialBatchId ?? "");
  const [rowErrors, setRowErrors] = useState<readonly RowError[] | null>(null);
  const [requestError, setRequestError] = useState<ErrorLike | null>(null);
  const [created, setCreated] = useState<{ tradeId: string; batch: CreatedBatch; alone: boolean } | null>(null);
  const submission = useRef<Submission | null>(null);
  const inputs = useRef(new Map<string, HTMLElement>());
  const [createTrade, { loading }] = useMutation(CreateTradeMutation);
  const pending = useQuery(PendingBatchesQuery, { fetchPolicy: "cache-and-network" });
  // A batch named in the address that is not among the first page of staged ones is read on its own.
  const preselected = useQuery(BatchDetailQuery, { variables: { id: initialBatchId ?? "" }, skip: !initialBatchId });

  const batches = useMemo(() => {
    const listed = pending.data?.batches.edges.map((edge) => edge.node) ?? [];
    const named = preselected.data?.batch;
    const all = named && !listed.some((batch) => batch.id === named.id) ? [named, ...listed] : listed;
    return all.filter(takesTrades);
  }, [pending.data, preselected.data]);
  const namedBatchUnavailable = preselected.data?.batch && !takesTrades(preselected.data.batch) ? preselected.data.batch : null;

  const fieldErrors = new Map((rowErrors ?? []).filter((error) => error.field).map((error) => [error.field!, error.message]));
  const otherErrors = (rowErrors ?? []).filter((error) => !error.field);
  const duplicate = otherErrors.length > 0 ? findDuplicateFile(otherErrors) : null;
  const requestProblem = requestError ? describeError(requestError) : null;

  function change(name: keyof TradeFormValues, value: string) {
    setValues((current) => ({ ...current, [name]: value }));
    // What the API said of the field no longer holds once it is edited.
    if (fieldErrors.has(name)) setRowErrors((current) => current?.filter((error) => error.field !== name) ?? null);
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void submit(false);
  }

  async function submit(allowDuplicate: boolean) {
    const input = { ...values, batchId: batchId || null, allowDuplicate };
    // Taken before anything is awaited, so a second click while the first is on its way sends the same key.
    const signature = JSON.stringify(input);
    const sent = submission.current?.signature === signature ? submission.current : { signature, key: newIdempotencyKey() };
    submission.current = sent;
    setRowErrors(null);
    setRequestError(null);
    try {
      const { data } = await createTrade({ variables: { input: { ...input, idempotencyKey: sent.key } } });
      const payload = data?.createTrade;
      if (submission.current === sent) submission.current = null;
      if (payload?.trade?.batch) {
        setCreated({ tradeId: payload.trade.id, batch: payload.trade.batch, alone: !batchId });
        return;
      }
      const errors = payload?.errors ?? [];
      setRowErrors(errors);
      // The first field the API refused takes the focus, so a keyboard or screen-reader user lands on it.
      const first = errors.find((error) => error.field && inputs.current.has(error.field));
      if (first?.field) inputs.current.get(first.field)?.focus();
    } catch (error) {
      // The answer may be lost: a retry of the same submission goes under the same key.
      setRequestError(error as ErrorLike);
    }
  }

  function another() {
    setCreated(null);
    setValues(EMPTY_TRADE);
    setRowErrors(null);
    submission.current = null;
  }

  if (created) return <TradeCreated {...created} onAnother={another} />;

  const errorCount = rowErrors?.length ?? 0;
  return (
    <form className="panel trade-form" onSubmit={onSubmit} noValidate aria-describedby={`${formId}-result`}>
      <h2>Trade</h2>
      <div className="field">
        <label htmlFor={`${formId}-batch`} className="field-label">
          Batch
        </label>
        <select
          id={`${formId}-batch`}
          value={batchId}
          onChange={(event) => setBatchId(event.target.value)}
          aria-describedby={`${formId}-batch-hint`}
        >
          <option value="">New one-trade batch</option>
          {batches.map((batch) => (
            <option key={batch.id} value={batch.id}>
              {batch.batchUid}
              {batch.name ? ` — ${batch.name}` : ""} ({batch.totalTrades} {batch.totalTrades === 1 ? "trade" : "trades"})
            </option>
          ))}
        </select>
      </div>
      <p id={`${formId}-batch-hint`} className="hint">
        {namedBatchUnavailable ? (
          <strong className="text-danger">
            Batch {namedBatchUnavailable.batchUid} takes no more trades ({tradeAdditionProblem(namedBatchUnavailable, NO_LIMIT)}).
          </strong>
        ) : (
          "A staged batch not yet started takes the trade as its next row; a new one-trade batch can be started at once."
        )}
      </p>
      <datalist id={`${formId}-currencies`}>
        {CURRENCIES.map((code) => (
          <option key={code} value={code} />
        ))}
      </datalist>
      <div className="trade-fields">
        {TRADE_FIELDS.map((spec) => (
          <TradeField
            key={spec.name}
            spec={spec}
            formId={formId}
            value={values[spec.name]}
            error={fieldErrors.get(spec.name) ?? null}
            onChange={(value) => change(spec.name, value)}
            register={(element) => {
              if (element) inputs.current.set(spec.name, element);
              else inputs.current.delete(spec.name);
            }}
          />
        ))}
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={loading} aria-busy={loading}>
          {batchId ? "Add trade to batch" : "Create trade"}
        </button>
        {loading ? <span className="muted">Checking the trade…</span> : null}
      </div>
      <div id={`${formId}-result`}>
        {requestProblem ? (
          <div className="alert alert-danger" role="alert">
            <strong>The trade could not be created.</strong> {requestProblem.code ? <code>{requestProblem.code}</code> : null}{" "}
            {requestProblem.message}
          </div>
        ) : null}
        {duplicate ? (
          <DuplicateFileAlert duplicate={duplicate} fileName="This trade" busy={loading} onStageAnyway={() => void submit(true)} />
        ) : errorCount > 0 ? (
          <div className="alert alert-danger" role="alert">
            <strong>{errorCount === 1 ? "1 field needs" : `${errorCount} fields need`} fixing. Nothing was saved.</strong>{" "}
            {otherErrors.map((error) => error.message).join(" ")}
          </div>
        ) : null}
      </div>
    </form>
  );
}

function TradeField({
  spec,
  formId,
  value,
  error,
  onChange,
  register,
}: {
  spec: TradeFieldSpec;
  formId: string;
  value: string;
  error: string | null;
  onChange: (value: string) => void;
  register: (element: HTMLElement | null) => void;
}) {
  const id = `${formId}-${spec.name}`;
  const described = `${id}-hint`;
  const common = {
    id,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": described,
    "aria-required": spec.required || undefined,
  } as const;
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        {spec.label}
        {spec.required ? null : <span className="muted"> (optional)</span>}
      </label>
      {spec.kind === "direction" ? (
        <select {...common} ref={register} value={value} onChange={(event) => onChange(event.target.value)}>
          <option value="BUY">BUY</option>
          <option value="SELL">SELL</option>
        </select>
      ) : (
        <input
          {...common}
          ref={register}
          type={spec.kind === "date" ? "date" : "text"}
          value={value}
          maxLength={spec.kind === "currency" ? 3 : spec.maxLength}
          inputMode={spec.inputMode}
          list={spec.kind === "currency" ? `${formId}-currencies` : undefined}
          autoComplete="off"
          spellCheck={false}
          onChange={(event) => onChange(spec.kind === "currency" ? event.target.value.toUpperCase() : event.target.value)}
        />
      )}
      <p id={described} className="hint">
        {error ? <strong className="text-danger">{sentence(error)}.</strong> : spec.hint}
      </p>
    </div>
  );
}
