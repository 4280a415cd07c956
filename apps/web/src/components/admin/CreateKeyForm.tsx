"use client";

import type { ErrorLike } from "@apollo/client";
import { useMutation } from "@apollo/client/react";
import { type FormEvent, useId, useState } from "react";
import { ApiKeysQuery, CreateApiKeyMutation } from "../../graphql/admin";
import { partnerProblem, type Role } from "../../lib/access";
import { describeError } from "../ui/QueryError";
import { RoleSelect } from "./RoleSelect";

interface CreateKeyFormProps {
  onCreated: (created: { name: string; key: string }) => void;
}

/** A key for an internal tool or a partner's app; the key itself comes back once, for the page to show. */
export function CreateKeyForm({ onCreated }: CreateKeyFormProps) {
  const [name, setName] = useState("");
  const roleId = useId();
  const [role, setRole] = useState<Role>("VIEWER");
  const [partner, setPartner] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [createApiKey, { loading }] = useMutation(CreateApiKeyMutation, { refetchQueries: [ApiKeysQuery] });

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const partnerValue = partner.trim();
    const local = partnerValue ? partnerProblem(partnerValue) : null;
    setProblem(local ? `Partner ${local}.` : null);
    if (local) return;
    try {
      const { data } = await createApiKey({ variables: { input: { name: name.trim() || null, role, partner: partnerValue || null } } });
      if (data) onCreated({ name: data.createApiKey.apiKey.name, key: data.createApiKey.key });
      setName("");
      setPartner("");
    } catch (error) {
      setProblem(describeError(error as ErrorLike).message);
    }
  }

  return (
    <form className="panel" onSubmit={onSubmit} aria-labelledby="create-key-title">
      <h2 id="create-key-title">Create an API key</h2>
      <div className="form-grid">
        <label className="field">
          <span className="field-label">Name</span>
          <input
            type="text"
            value={name}
            maxLength={100}
            placeholder="What uses it, e.g. nightly import"
            onChange={(event) => setName(event.target.value)}
          />
        </label>
        <div className="field">
          <label htmlFor={roleId} className="field-label">
            Role
          </label>
          <RoleSelect id={roleId} value={role} onChange={setRole} />
        </div>
        <label className="field">
          <span className="field-label">Partner (optional)</span>
          <input
            type="text"
            value={partner}
            placeholder="Internal tool: leave empty"
            onChange={(event) => setPartner(event.target.value)}
          />
        </label>
        <div className="field field-action">
          <button type="submit" className="button button-primary" disabled={loading}>
            {loading ? "Creating…" : "Create key"}
          </button>
        </div>
      </div>
      <p className="hint">
        The key is sent as <code>Authorization: Bearer &lt;key&gt;</code>. It acts with its role like a person would, and its actions are
        audited under its name. Give a key the lowest role that does the job.
      </p>
      {problem ? (
        <div className="alert alert-danger" role="alert">
          <strong>Key not created.</strong> {problem}
        </div>
      ) : null}
    </form>
  );
}
