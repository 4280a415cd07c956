"use client";

import type { ErrorLike } from "@apollo/client";
import { useMutation } from "@apollo/client/react";
import { type FormEvent, useId, useState } from "react";
import { ChangePasswordMutation } from "../../graphql/session";
import { MIN_PASSWORD_LENGTH, newPasswordProblem } from "../../lib/access";
import { describeError } from "../ui/QueryError";
import type { Viewer } from "./SessionProvider";

interface ChoosePasswordFormProps {
  viewer: Viewer;
  /** The one-time password just typed on the sign-in form, if it was: not asked for twice. */
  oneTimePassword: string;
  onChanged: (viewer: Viewer) => void;
  onSignOut: () => void;
}

/**
 * A user signing in with a one-time password (made by an admin, or a reset) chooses their own
 * before anything else: until then the API answers FORBIDDEN to everything but this.
 */
export function ChoosePasswordForm({ viewer, oneTimePassword, onChanged, onSignOut }: ChoosePasswordFormProps) {
  const ids = { current: useId(), next: useId(), confirm: useId(), rules: useId() };
  const [current, setCurrent] = useState(oneTimePassword);
  const [next, setNext] = useState("");
  const [confirmation, setConfirmation] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [changePassword, { loading }] = useMutation(ChangePasswordMutation);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const local = newPasswordProblem(current, next, confirmation);
    setProblem(local);
    if (local) return;
    try {
      const { data } = await changePassword({ variables: { currentPassword: current, newPassword: next } });
      if (data) onChanged(data.changePassword);
    } catch (error) {
      setProblem(describeError(error as ErrorLike).message);
    }
  }

  return (
    <form className="panel session-form" onSubmit={onSubmit} aria-labelledby="choose-password-title" noValidate>
      <h2 id="choose-password-title">Choose your password</h2>
      <p>
        You signed in as <strong>{viewer.name}</strong> with a one-time password. Choose your own before anything else; the one-time
        password then stops working.
      </p>
      <div className="field">
        <label htmlFor={ids.current} className="field-label">
          One-time password
        </label>
        <input
          id={ids.current}
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(event) => setCurrent(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={ids.next} className="field-label">
          New password
        </label>
        <input
          id={ids.next}
          type="password"
          autoComplete="new-password"
          minLength={MIN_PASSWORD_LENGTH}
          aria-describedby={ids.rules}
          value={next}
          onChange={(event) => setNext(event.target.value)}
        />
        <p id={ids.rules} className="hint">
          At least {MIN_PASSWORD_LENGTH} characters. A long phrase is easier to remember than a short jumble.
        </p>
      </div>
      <div className="field">
        <label htmlFor={ids.confirm} className="field-label">
          Confirm new password
        </label>
        <input
          id={ids.confirm}
          type="password"
          autoComplete="new-password"
          value={confirmation}
          onChange={(event) => setConfirmation(event.target.value)}
        />
      </div>
      {problem ? (
        <div className="alert alert-danger" role="alert">
          <strong>Password not changed.</strong> {problem}
        </div>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={loading}>
          {loading ? "Saving…" : "Save password"}
        </button>
        <button type="button" className="button" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </form>
  );
}
