"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { NotificationButton } from "./NotificationButton";

const NAV = [
  { href: "/", label: "Batches", matches: (path: string) => path === "/" || (path.startsWith("/batches/") && path !== "/batches/new") },
  { href: "/batches/new", label: "New batch", matches: (path: string) => path === "/batches/new" },
  { href: "/trades", label: "Trades", matches: (path: string) => path.startsWith("/trades") },
] as const;

export function AppHeader() {
  const pathname = usePathname() ?? "/";
  return (
    <header className="app-header">
      <div className="app-header-inner">
        <Link href="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            FX
          </span>
          FX Batch Trader
        </Link>
        <nav aria-label="Main" className="main-nav">
          <ul>
            {NAV.map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={item.matches(pathname) ? "page" : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="header-tools">
          <NotificationButton />
        </div>
      </div>
    </header>
  );
}
