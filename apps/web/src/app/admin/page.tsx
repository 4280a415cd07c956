import { redirect } from "next/navigation";

/** The admin pages start with the users. */
export default function AdminIndex() {
  redirect("/admin/users");
}
