import { post } from "../../apps/api/test/api-process";

/**
 * GraphQL over HTTP as the benches call the API: one key, every call's errors thrown (a bench
 * that got an error has nothing to measure).
 */
export function graphqlClient(url: string, key: string) {
  return <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => post<T>(url, key, query, variables);
}
