"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import type { Operation } from "../../lib/access";
import { RequireRole } from "../session/RequireRole";
import { PageIntro } from "../ui/PageIntro";

const TABS = [
  { href: "/admin/users", label: "Users" },
  { href: "/admin/keys", label: "API keys" },
  { href: "/admin/audit", label: "Audit log" },
] as const;

interface AdminPageProps {
  title: string;
  description: string;
  /** What the page's queries need; the API refuses the others, and so does the page. */
  needs: Operation;
  children: ReactNode;
}

/** An admin page: for ADMINs only (the others get a plain page that says so), with the admin tabs. */
export function AdminPage({ title, description, needs, children }: AdminPageProps) {
  const pathname = usePathname();
  return (
    <RequireRole operation={needs} title={title}>
      <PageIntro title={title} description={description} />
      <nav aria-label="Admin">
        <ul className="admin-nav">
          {TABS.map((tab) => (
            <li key={tab.href}>
              <Link href={tab.href} aria-current={pathname === tab.href ? "page" : undefined}>
                {tab.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {children}
    </RequireRole>
  );
}
