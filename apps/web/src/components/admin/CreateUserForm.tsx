"use client";

import type { ErrorLike } from "@apollo/client";
import { useMutation } from "@apollo/client/react";
import { type FormEvent, useId, useState } from "react";
import { CreateUserMutation, UsersQuery } from "../../graphql/admin";
import { partnerProblem, type Role } from "../../lib/access";
import { describeError } from "../ui/QueryError";
import { RoleSelect } from "./RoleSelect";

interface CreateUserFormProps {
  onCreated: (created: { email: string; oneTimePassword: string }) => void;
}

/** A new user gets a one-time password (shown once, by the page) to replace at first sign-in. */
export function CreateUserForm({ onCreated }: CreateUserFormProps) {
  const [email, setEmail] = useState("");
  const roleId = useId();
  const [role, setRole] = useState<Role>("VIEWER");
  const [partner, setPartner] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [createUser, { loading }] = useMutation(CreateUserMutation, { refetchQueries: [UsersQuery] });

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const partnerValue = partner.trim();
    const local = partnerValue ? partnerProblem(partnerValue) : null;
    setProblem(local ? `Partner ${local}.` : null);
    if (local) return;
    try {
      const { data } = await createUser({ variables: { input: { email: email.trim(), role, partner: partnerValue || null } } });
      const created = data?.createUser;
      if (created?.oneTimePassword) onCreated({ email: created.user.email, oneTimePassword: created.oneTimePassword });
      setEmail("");
      setPartner("");
    } catch (error) {
      setProblem(describeError(error as ErrorLike).message);
    }
  }

  return (
    <form className="panel" onSubmit={onSubmit} aria-labelledby="create-user-title">
      <h2 id="create-user-title">Create a user</h2>
      <div className="form-grid">
        <label className="field">
          <span className="field-label">Email</span>
          <input type="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
        </label>
        <div className="field">
          <label htmlFor={roleId} className="field-label">
            Role
          </label>
          <RoleSelect id={roleId} value={role} onChange={setRole} />
        </div>
        <label className="field">
          <span className="field-label">Partner (optional)</span>
          <input type="text" value={partner} placeholder="Staff: leave empty" onChange={(event) => setPartner(event.target.value)} />
        </label>
        <div className="field field-action">
          <button type="submit" className="button button-primary" disabled={loading}>
            {loading ? "Creating…" : "Create user"}
          </button>
        </div>
      </div>
      <p className="hint">
        A partner's users see that partner's batches only. The user signs in with a one-time password shown once below, and chooses their
        own at once.
      </p>
      {problem ? (
        <div className="alert alert-danger" role="alert">
          <strong>User not created.</strong> {problem}
        </div>
      ) : null}
    </form>
  );
}
