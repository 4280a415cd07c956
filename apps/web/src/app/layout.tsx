import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { Providers } from "../apollo/Providers";
import { AppHeader } from "../components/layout/AppHeader";
import { ConnectionBanner } from "../components/layout/ConnectionBanner";
import { SessionGate } from "../components/session/SessionGate";
// One stylesheet in parts, in cascade order (plain CSS, no framework); the small-screen rules come last.
import "../styles/base.css";
import "../styles/layout.css";
import "../styles/controls.css";
import "../styles/status.css";
import "../styles/tables.css";
import "../styles/pages.css";
import "../styles/overlays.css";
import "../styles/access.css";
import "../styles/charts.css";
import "../styles/responsive.css";

const DEFAULT_API_URL = "http://localhost:4000/graphql";

export const metadata: Metadata = {
  title: { default: "FX Batch Trader", template: "%s · FX Batch Trader" },
  description: "Watch FX trade batches run and act on them.",
  icons: { icon: "/icon.svg" },
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: "#1f3a5f",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Rendered per request, so FXBT_API_URL is read when the server runs, not baked in at build time.
  await connection();
  const apiUrl = process.env.FXBT_API_URL || DEFAULT_API_URL;
  return (
    <html lang="en">
      <body>
        <Providers apiUrl={apiUrl}>
          <div id="app-shell">
            <a className="skip-link" href="#main">
              Skip to content
            </a>
            <AppHeader />
            <ConnectionBanner />
            <main id="main" className="main" tabIndex={-1}>
              <SessionGate>{children}</SessionGate>
            </main>
          </div>
        </Providers>
      </body>
    </html>
  );
}
