import type { Metadata } from "next";
import { AdminPage } from "../../../components/admin/AdminPage";
import { UsersView } from "../../../components/admin/UsersView";

export const metadata: Metadata = { title: "Users" };

export default function UsersPage() {
  return (
    <AdminPage
      title="Users"
      needs="manageAccess"
      description="The people who sign in to the dashboard: their roles, partners and whether they can sign in. Every change is recorded in the audit log."
    >
      <UsersView />
    </AdminPage>
  );
}
