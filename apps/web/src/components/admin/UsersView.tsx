"use client";

import type { ErrorLike } from "@apollo/client";
import { useMutation, useQuery } from "@apollo/client/react";
import { useState } from "react";
import type { UserFieldsFragment } from "../../gql/graphql";
import { ResetPasswordMutation, UpdateUserMutation, UsersQuery } from "../../graphql/admin";
import type { Role } from "../../lib/access";
import { useViewer } from "../session/SessionProvider";
import { useToast } from "../toasts/ToastProvider";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { DateTime } from "../ui/DateTime";
import { describeError, QueryError } from "../ui/QueryError";
import { CreateUserForm } from "./CreateUserForm";
import { RoleSelect } from "./RoleSelect";
import { SecretOnce } from "./SecretOnce";

type Confirming = { kind: "disable" | "reset"; user: UserFieldsFragment };

/** What an account can do now, in a word, with the date that matters. */
function AccountState({ user }: { user: UserFieldsFragment }) {
  if (user.disabledAt) {
    return (
      <span className="status-badge tone-muted" title="Cannot sign in; enable to let them back">
        <span className="status-dot" aria-hidden="true" />
        Disabled
      </span>
    );
  }
  if (user.lockedUntil) {
    return (
      <span className="status-badge tone-danger" title="Too many wrong passwords in a row; a password reset lifts the lock">
        <span className="status-dot" aria-hidden="true" />
        Locked until <DateTime value={user.lockedUntil} />
      </span>
    );
  }
  if (user.mustChangePassword) {
    return (
      <span className="status-badge tone-warning" title="Holds a one-time password and must choose their own at sign-in">
        <span className="status-dot" aria-hidden="true" />
        One-time password
      </span>
    );
  }
  return (
    <span className="status-badge tone-success">
      <span className="status-dot" aria-hidden="true" />
      Active
    </span>
  );
}

export function UsersView() {
  const viewer = useViewer();
  const showToast = useToast();
  const { data, loading, error } = useQuery(UsersQuery, { fetchPolicy: "cache-and-network" });
  const [updateUser, update] = useMutation(UpdateUserMutation);
  const [resetPassword, reset] = useMutation(ResetPasswordMutation);
  const [secret, setSecret] = useState<{ email: string; oneTimePassword: string; reason: "created" | "reset" } | null>(null);
  const [confirming, setConfirming] = useState<Confirming | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const users = data?.users ?? [];

  async function change(user: UserFieldsFragment, input: { role?: Role; disabled?: boolean }, done: string) {
    setFailure(null);
    try {
      await updateUser({ variables: { input: { id: user.id, ...input } } });
      showToast(done, "success");
    } catch (caught) {
      setFailure(`${user.email}: ${describeError(caught as ErrorLike).message}`);
    } finally {
      setConfirming(null);
    }
  }

  async function resetFor(user: UserFieldsFragment) {
    setFailure(null);
    try {
      const { data: answer } = await resetPassword({ variables: { id: user.id } });
      const oneTimePassword = answer?.resetPassword.oneTimePassword;
      if (oneTimePassword) setSecret({ email: user.email, oneTimePassword, reason: "reset" });
    } catch (caught) {
      setFailure(`${user.email}: ${describeError(caught as ErrorLike).message}`);
    } finally {
      setConfirming(null);
    }
  }

  return (
    <>
      {secret ? (
        <SecretOnce
          title={`One-time password for ${secret.email}`}
          secret={secret.oneTimePassword}
          warning={`Copy it now and give it to ${secret.email} by a safe way (not in the same message as the email address). They must choose their own password when they sign in with it${secret.reason === "reset" ? "; their earlier sessions have ended" : ""}. Only a hash is kept: it cannot be shown again, only reset.`}
          onDone={() => setSecret(null)}
        />
      ) : null}
      <CreateUserForm onCreated={(created) => setSecret({ ...created, reason: "created" })} />
      <section className="panel" aria-labelledby="users-title">
        <h2 id="users-title">Users</h2>
        <QueryError error={error} what="the users" />
        {failure ? (
          <div className="alert alert-danger" role="alert">
            <strong>Not changed.</strong> {failure}
            <button type="button" className="button button-small alert-dismiss" onClick={() => setFailure(null)}>
              Dismiss
            </button>
          </div>
        ) : null}
        {!data && loading ? <p className="loading">Loading users…</p> : null}
        {users.length > 0 ? (
          <div className="table-scroll">
            <table className="data-table">
              <caption className="visually-hidden">Users, their roles and whether they can sign in</caption>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Partner</th>
                  <th scope="col">State</th>
                  <th scope="col">Last sign-in</th>
                  <th scope="col">Created</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {users.map((user) => {
                  const self = viewer?.id === user.id;
                  const selfNote = "You cannot change your own role or disable yourself: another admin must.";
                  return (
                    <tr key={user.id}>
                      <td className="cell-detail">
                        {user.email}
                        {self ? <span className="cell-note">you</span> : null}
                      </td>
                      <td>
                        <RoleSelect
                          value={user.role}
                          label={`Role of ${user.email}`}
                          disabled={self || update.loading}
                          title={self ? selfNote : undefined}
                          onChange={(role) => void change(user, { role }, `${user.email} is now ${role}`)}
                        />
                      </td>
                      <td>{user.partner ?? <span className="muted">—</span>}</td>
                      <td>
                        <AccountState user={user} />
                      </td>
                      <td className="nowrap">
                        <DateTime value={user.lastSignInAt} empty="Never" stacked />
                      </td>
                      <td className="nowrap">
                        <DateTime value={user.createdAt} stacked />
                        {user.createdBy ? <span className="cell-secondary">by {user.createdBy}</span> : null}
                      </td>
                      <td>
                        <div className="row-actions">
                          {user.disabledAt ? (
                            <button
                              type="button"
                              className="button button-small"
                              disabled={update.loading}
                              onClick={() => void change(user, { disabled: false }, `${user.email} can sign in again`)}
                            >
                              Enable
                            </button>
                          ) : (
                            <button
                              type="button"
                              className="button button-small button-danger-outline"
                              disabled={self || update.loading}
                              title={self ? selfNote : "Stop this user signing in; their sessions end at once"}
                              onClick={() => setConfirming({ kind: "disable", user })}
                            >
                              Disable
                            </button>
                          )}
                          <button
                            type="button"
                            className="button button-small"
                            disabled={reset.loading}
                            title="A new one-time password; their sessions end and any lock is lifted"
                            onClick={() => setConfirming({ kind: "reset", user })}
                          >
                            Reset password
                          </button>
                        </div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
      {confirming?.kind === "disable" ? (
        <ConfirmDialog
          title={`Disable ${confirming.user.email}?`}
          confirmLabel="Disable"
          busy={update.loading}
          onConfirm={() => void change(confirming.user, { disabled: true }, `${confirming.user.email} is disabled`)}
          onCancel={() => setConfirming(null)}
        >
          <p>They are signed out everywhere at once and cannot sign in until enabled again. Their past actions stay in the audit log.</p>
        </ConfirmDialog>
      ) : null}
      {confirming?.kind === "reset" ? (
        <ConfirmDialog
          title={`Reset the password of ${confirming.user.email}?`}
          confirmLabel="Reset password"
          tone="primary"
          busy={reset.loading}
          onConfirm={() => void resetFor(confirming.user)}
          onCancel={() => setConfirming(null)}
        >
          <p>
            Their password stops working and their sessions end now. You get a one-time password to give them, shown once; they choose their
            own when they sign in with it.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
