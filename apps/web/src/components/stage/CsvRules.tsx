/** The column rules of docs/csv-format.md (version 1), for the people who prepare the files. */
const COLUMNS: { name: string; required: boolean; rule: string }[] = [
  { name: "client_id", required: true, rule: "1–64 characters" },
  { name: "client_name", required: false, rule: "Up to 200 characters" },
  { name: "account_number", required: true, rule: "6–20 digits" },
  { name: "sell_currency", required: true, rule: "ISO 4217 code of an active currency, upper or lower case" },
  { name: "buy_currency", required: true, rule: "ISO 4217 code, different from sell_currency" },
  {
    name: "direction",
    required: true,
    rule: "BUY or SELL (any case). BUY: the amount is in buy_currency. SELL: the amount is in sell_currency",
  },
  {
    name: "amount",
    required: true,
    rule: "Positive decimal in plain notation (no sign, exponent, thousands separator or currency symbol), at most the currency's minor-unit digits (2 for USD, 0 for JPY), at most 1,000,000,000,000",
  },
  { name: "value_date", required: false, rule: "YYYY-MM-DD, not before today (UTC); empty means spot" },
  { name: "reference", required: false, rule: "Up to 140 characters; unique within the file when present" },
];

export function CsvRules() {
  return (
    <section className="panel" aria-labelledby="csv-rules-title">
      <h2 id="csv-rules-title">CSV format</h2>
      <p>
        <a className="button" href="/trade-template.csv" download="trade-template.csv">
          Download CSV template
        </a>
      </p>
      <p className="hint">
        UTF-8, comma-separated, standard quoting. The first line is the header; column order is free and names ignore case. Unknown columns
        are an error. At most 100,000 rows and 20 MB.
      </p>
      <section className="table-scroll" aria-label="Column rules">
        <table className="data-table compact">
          <caption className="visually-hidden">Column rules</caption>
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Required</th>
              <th scope="col">Rule</th>
            </tr>
          </thead>
          <tbody>
            {COLUMNS.map((column) => (
              <tr key={column.name}>
                <td>
                  <code>{column.name}</code>
                </td>
                <td>{column.required ? "Yes" : "No"}</td>
                <td>{column.rule}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <p className="hint">
        Every invalid row is reported with its row number (the header is row 0), and nothing is saved until the whole file is valid.
      </p>
    </section>
  );
}
