"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { type Operation, principalAllows } from "../../lib/access";
import { useViewer } from "../session/SessionProvider";
import { NotificationButton } from "./NotificationButton";
import { SignedInAs } from "./SignedInAs";

/** Each link is shown only to roles that may use its page (the pages check again, and the API last). */
const NAV: readonly { href: string; label: string; needs: Operation; matches: (path: string) => boolean }[] = [
  {
    href: "/",
    label: "Batches",
    needs: "read",
    matches: (path) => path === "/" || (path.startsWith("/batches/") && path !== "/batches/new"),
  },
  { href: "/batches/new", label: "New batch", needs: "stage", matches: (path) => path === "/batches/new" },
  { href: "/trades/new", label: "New trade", needs: "stage", matches: (path) => path === "/trades/new" },
  { href: "/trades", label: "Trades", needs: "read", matches: (path) => path.startsWith("/trades") && path !== "/trades/new" },
  { href: "/templates", label: "Templates", needs: "read", matches: (path) => path.startsWith("/templates") },
  { href: "/admin/users", label: "Admin", needs: "manageAccess", matches: (path) => path.startsWith("/admin") },
];

export function AppHeader() {
  const pathname = usePathname() ?? "/";
  const viewer = useViewer();
  const items = viewer ? NAV.filter((item) => principalAllows(viewer, item.needs)) : [];
  return (
    <header className="app-header">
      <div className="app-header-inner">
        <Link href="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            FX
          </span>
          FX Batch Trader
        </Link>
        {items.length > 0 ? (
          <nav aria-label="Main" className="main-nav">
            <ul>
              {items.map((item) => (
                <li key={item.href}>
                  <Link href={item.href} aria-current={item.matches(pathname) ? "page" : undefined}>
                    {item.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
        <div className="header-tools">
          {viewer ? <NotificationButton /> : null}
          <SignedInAs />
        </div>
      </div>
    </header>
  );
}
