"use client";

import type { ErrorLike } from "@apollo/client";
import { useApolloClient, useMutation } from "@apollo/client/react";
import { type FormEvent, useId, useState } from "react";
import { SignInMutation } from "../../graphql/session";
import { asSentence } from "../../lib/format";
import type { LoginReason } from "../../lib/safe-next";
import { describeError } from "../ui/QueryError";
import type { Viewer } from "./SessionProvider";

const NOTICES: Record<LoginReason, string> = {
  ended: "Your session ended; sign in again.",
  signedOut: "You signed out.",
};

interface SignInFormProps {
  reason: LoginReason | null;
  /** The viewer the API answered with, and the password typed (a one-time one is asked for again next). */
  onSignedIn: (viewer: Viewer, password: string) => void;
}

export function SignInForm({ reason, onSignedIn }: SignInFormProps) {
  const client = useApolloClient();
  const emailId = useId();
  const passwordId = useId();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [failure, setFailure] = useState<ErrorLike | null>(null);
  const [signIn, { loading }] = useMutation(SignInMutation);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFailure(null);
    try {
      const { data } = await signIn({ variables: { email: email.trim(), password } });
      if (!data) return;
      // Whatever an earlier person on this tab read is not this person's to see.
      await client.clearStore();
      onSignedIn(data.signIn, password);
    } catch (error) {
      setFailure(error as ErrorLike);
      setPassword("");
    }
  }

  const problem = failure ? describeError(failure) : null;
  return (
    <form className="panel session-form" onSubmit={onSubmit} aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">Sign in</h2>
      {reason ? (
        <p className={reason === "ended" ? "alert alert-warning" : "notice"} role="status">
          {NOTICES[reason]}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor={emailId} className="field-label">
          Email
        </label>
        <input
          id={emailId}
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={passwordId} className="field-label">
          Password
        </label>
        <input
          id={passwordId}
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
      </div>
      {problem ? (
        <div className="alert alert-danger" role="alert">
          <strong>Sign-in failed.</strong> {asSentence(problem.message)}
        </div>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={loading}>
          {loading ? "Signing in…" : "Sign in"}
        </button>
      </div>
    </form>
  );
}
