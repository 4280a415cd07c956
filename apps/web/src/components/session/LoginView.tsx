"use client";

import { useSearchParams } from "next/navigation";
import { useState } from "react";
import { readLoginParams } from "../../lib/safe-next";
import { useToast } from "../toasts/ToastProvider";
import { describeError } from "../ui/QueryError";
import { ChoosePasswordForm } from "./ChoosePasswordForm";
import { useSession } from "./SessionProvider";
import { SignInForm } from "./SignInForm";

/**
 * The sign-in page's body: the sign-in form, then, for a one-time password, the "choose your
 * password" step. Once signed in with their own password, the session gate sends the person
 * on to the page they came for (`next`).
 */
export function LoginView() {
  const session = useSession();
  const showToast = useToast();
  const { reason } = readLoginParams(useSearchParams()?.toString() ?? "");
  const [typedPassword, setTypedPassword] = useState("");

  if (session.status === "mustChangePassword" && session.viewer) {
    return (
      <ChoosePasswordForm
        viewer={session.viewer}
        oneTimePassword={typedPassword}
        onChanged={session.signedIn}
        onSignOut={() =>
          void session
            .signOut()
            .catch((error: unknown) => showToast(`Could not sign out: ${describeError(error as Error).message}`, "danger"))
        }
      />
    );
  }
  return (
    <SignInForm
      reason={reason}
      onSignedIn={(viewer, password) => {
        setTypedPassword(password);
        session.signedIn(viewer);
      }}
    />
  );
}
