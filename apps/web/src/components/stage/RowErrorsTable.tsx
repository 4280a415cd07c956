import type { StageBatchMutation } from "../../gql/graphql";

export type RowError = StageBatchMutation["stageBatch"]["errors"][number];

function rowLabel(row: number | null): string {
  if (row === null) return "file";
  if (row === 0) return "header";
  return String(row);
}

export function RowErrorsTable({ errors }: { errors: readonly RowError[] }) {
  return (
    <section className="table-scroll" aria-label="Row errors table">
      <table className="data-table compact">
        <caption>Row errors</caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Row
            </th>
            <th scope="col">Field</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {errors.map((error) => (
            <tr key={`${error.row}:${error.field}:${error.message}`}>
              <td className="num">{rowLabel(error.row ?? null)}</td>
              <td>{error.field ? <code>{error.field}</code> : <span className="muted">—</span>}</td>
              <td>{error.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
