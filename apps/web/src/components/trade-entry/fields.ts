import { FIELD_LIMITS } from "@fxbt/domain/limits";
import type { TradeEntryField } from "@fxbt/domain/trade-entry";

const { clientIdMax, clientNameMax, accountNumberMinDigits, accountNumberMaxDigits, referenceMax } = FIELD_LIMITS;

/** One input of the new-trade form: the API's field name, its label, and how it is typed. */
export interface TradeFieldSpec {
  name: TradeEntryField;
  label: string;
  required: boolean;
  hint: string;
  kind: "text" | "currency" | "direction" | "date";
  maxLength?: number;
  inputMode?: "numeric" | "decimal";
}

/** The form's fields, in the CSV's column order (the order the API lists their problems in). */
export const TRADE_FIELDS: readonly TradeFieldSpec[] = [
  {
    name: "clientId",
    label: "Client ID",
    required: true,
    hint: `Your client's id, up to ${clientIdMax} characters.`,
    kind: "text",
    maxLength: clientIdMax,
  },
  {
    name: "clientName",
    label: "Client name",
    required: false,
    hint: `Optional, up to ${clientNameMax} characters.`,
    kind: "text",
    maxLength: clientNameMax,
  },
  {
    name: "accountNumber",
    label: "Account number",
    required: true,
    hint: `The client's account at the bank: ${accountNumberMinDigits} to ${accountNumberMaxDigits} digits, no spaces or dashes.`,
    kind: "text",
    inputMode: "numeric",
  },
  {
    name: "sellCurrency",
    label: "Sell currency",
    required: true,
    hint: "ISO 4217 code of the currency the client gives.",
    kind: "currency",
  },
  {
    name: "buyCurrency",
    label: "Buy currency",
    required: true,
    hint: "ISO 4217 code of the currency the client receives.",
    kind: "currency",
  },
  {
    name: "direction",
    label: "Direction",
    required: true,
    hint: "BUY: the amount is what the client receives; SELL: what the client gives.",
    kind: "direction",
  },
  {
    name: "amount",
    label: "Amount",
    required: true,
    hint: "In the currency the direction fixes, with at most its decimals, e.g. 25000.00.",
    kind: "text",
    inputMode: "decimal",
  },
  { name: "valueDate", label: "Value date", required: false, hint: "Today or later; leave empty for spot.", kind: "date" },
  {
    name: "reference",
    label: "Reference",
    required: false,
    hint: `Optional, up to ${referenceMax} characters; unique within its batch.`,
    kind: "text",
    maxLength: referenceMax,
  },
];

export type TradeFormValues = Record<TradeEntryField, string>;

export const EMPTY_TRADE: TradeFormValues = {
  clientId: "",
  clientName: "",
  accountNumber: "",
  sellCurrency: "",
  buyCurrency: "",
  direction: "BUY",
  amount: "",
  valueDate: "",
  reference: "",
};
