"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { OPERATIONS, type Operation, principalAllows } from "../../lib/access";
import { PageIntro } from "../ui/PageIntro";
import { useViewer } from "./SessionProvider";

/**
 * A page for the roles that may do its operation; the others get a plain page saying which role
 * it needs (no link leads them here, but an address can be typed). The API refuses them anyway.
 */
export function RequireRole({ operation, title, children }: { operation: Operation; title: string; children: ReactNode }) {
  const viewer = useViewer();
  if (viewer && principalAllows(viewer, operation)) return children;
  return (
    <PageIntro
      title={title}
      description={`This page needs the ${OPERATIONS[operation]} role; you are signed in${viewer ? ` as ${viewer.role}` : ""}. Ask an administrator if you need it.`}
    >
      <Link href="/" className="button">
        Back to batches
      </Link>
    </PageIntro>
  );
}
