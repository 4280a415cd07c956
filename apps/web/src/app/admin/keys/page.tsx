import type { Metadata } from "next";
import { AdminPage } from "../../../components/admin/AdminPage";
import { KeysView } from "../../../components/admin/KeysView";

export const metadata: Metadata = { title: "API keys" };

export default function KeysPage() {
  return (
    <AdminPage
      title="API keys"
      needs="manageAccess"
      description="Keys for internal tools and partners' apps. A key is shown once, when it is made; revoke one that is lost or no longer used."
    >
      <KeysView />
    </AdminPage>
  );
}
