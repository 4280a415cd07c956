import type { StageBatchMutation } from "../../gql/graphql";

export type RowError = StageBatchMutation["stageBatch"]["errors"][number];

function rowLabel(row: number | null): string {
  if (row === null) return "file";
  if (row === 0) return "header";
  return String(row);
}

export function RowErrorsTable({ errors }: { errors: readonly RowError[] }) {
  return (
    <div className="table-scroll" role="region" aria-label="Row errors table" tabIndex={0}>
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
          {errors.map((error, index) => (
            <tr key={`${error.row}-${error.field}-${index}`}>
              <td className="num">{rowLabel(error.row ?? null)}</td>
              <td>{error.field ? <code>{error.field}</code> : <span className="muted">—</span>}</td>
              <td>{error.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
