import type { Metadata } from "next";
import { LoginView } from "../../components/session/LoginView";

export const metadata: Metadata = { title: "Sign in" };

export default function LoginPage() {
  return (
    <div className="session-page">
      <header className="page-intro">
        <div>
          <h1>FX Batch Trader</h1>
          <p className="page-description">
            Sign in with the email and password your administrator gave you. Every action is recorded in the audit log under your name.
          </p>
        </div>
      </header>
      <LoginView />
    </div>
  );
}
