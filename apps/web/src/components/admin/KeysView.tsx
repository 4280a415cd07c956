"use client";

import type { ErrorLike } from "@apollo/client";
import { useMutation, useQuery } from "@apollo/client/react";
import { useState } from "react";
import type { ApiKeyFieldsFragment } from "../../gql/graphql";
import { ApiKeysQuery, RevokeApiKeyMutation } from "../../graphql/admin";
import { useToast } from "../toasts/ToastProvider";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { DateTime } from "../ui/DateTime";
import { describeError, QueryError } from "../ui/QueryError";
import { CreateKeyForm } from "./CreateKeyForm";
import { SecretOnce } from "./SecretOnce";

export function KeysView() {
  const showToast = useToast();
  const { data, loading, error } = useQuery(ApiKeysQuery, { fetchPolicy: "cache-and-network" });
  const [revokeApiKey, revoke] = useMutation(RevokeApiKeyMutation, { refetchQueries: [ApiKeysQuery] });
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [confirming, setConfirming] = useState<ApiKeyFieldsFragment | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const keys = data?.apiKeys ?? [];

  async function revokeKey(key: ApiKeyFieldsFragment) {
    setFailure(null);
    try {
      await revokeApiKey({ variables: { id: key.id } });
      showToast(`API key "${key.name}" revoked`, "success");
    } catch (caught) {
      setFailure(`${key.name}: ${describeError(caught as ErrorLike).message}`);
    } finally {
      setConfirming(null);
    }
  }

  return (
    <>
      {created ? (
        <SecretOnce
          title={`API key "${created.name}"`}
          secret={created.key}
          warning="Copy it now into the tool or secret store that will use it. Only a hash is kept: it cannot be shown again. Lost keys are revoked and replaced."
          onDone={() => setCreated(null)}
        />
      ) : null}
      <CreateKeyForm onCreated={setCreated} />
      <section className="panel" aria-labelledby="keys-title">
        <h2 id="keys-title">API keys</h2>
        <QueryError error={error} what="the API keys" />
        {failure ? (
          <div className="alert alert-danger" role="alert">
            <strong>Not revoked.</strong> {failure}
          </div>
        ) : null}
        {!data && loading ? <p className="loading">Loading API keys…</p> : null}
        {data && keys.length === 0 ? <p className="empty">No API keys yet.</p> : null}
        {keys.length > 0 ? (
          <div className="table-scroll">
            <table className="data-table">
              <caption className="visually-hidden">API keys, active first, then revoked</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Prefix</th>
                  <th scope="col">Role</th>
                  <th scope="col">Partner</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Revoked</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {keys.map((key) => (
                  <tr key={key.id} className={key.revokedAt ? "muted" : undefined}>
                    <td className="cell-detail">{key.name}</td>
                    <td className="mono small" title="The key's first characters, to recognise it">
                      {key.prefix}…
                    </td>
                    <td>
                      <span className="role-badge">{key.role}</span>
                    </td>
                    <td>{key.partner ?? <span className="muted">—</span>}</td>
                    <td className="nowrap">
                      <DateTime value={key.createdAt} stacked />
                      {key.createdBy ? <span className="cell-secondary">by {key.createdBy}</span> : null}
                    </td>
                    <td className="nowrap" title="Noted at most once a minute">
                      <DateTime value={key.lastUsedAt} empty="Never" stacked />
                    </td>
                    <td className="nowrap">
                      <DateTime value={key.revokedAt} empty="Active" stacked />
                    </td>
                    <td>
                      {key.revokedAt ? null : (
                        <button
                          type="button"
                          className="button button-small button-danger-outline"
                          disabled={revoke.loading}
                          onClick={() => setConfirming(key)}
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
      {confirming ? (
        <ConfirmDialog
          title={`Revoke the API key "${confirming.name}"?`}
          confirmLabel="Revoke"
          busy={revoke.loading}
          onConfirm={() => void revokeKey(confirming)}
          onCancel={() => setConfirming(null)}
        >
          <p>
            Every request with it is refused from now on, and its open connections close within seconds. This cannot be undone: a tool that
            still needs access needs a new key.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
