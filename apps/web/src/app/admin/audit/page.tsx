import type { Metadata } from "next";
import { AdminPage } from "../../../components/admin/AdminPage";
import { AuditView } from "../../../components/admin/AuditView";

export const metadata: Metadata = { title: "Audit log" };

export default function AuditPage() {
  return (
    <AdminPage
      title="Audit log"
      needs="readAuditLog"
      description="Every sign-in, batch action and access change, refused ones included: who, when, from which address. Nothing here can be changed or deleted."
    >
      <AuditView />
    </AdminPage>
  );
}
