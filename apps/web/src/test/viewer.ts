import type { Viewer } from "../components/session/SessionProvider";
import type { Role } from "../lib/access";

/** A signed-in person of this role (and id), for component tests. */
export function viewerFixture(role: Role, id = "6f1c0a4e-0000-4000-8000-0000000000bb"): Viewer {
  return {
    __typename: "Viewer",
    kind: "USER",
    id,
    name: `${role.toLowerCase()}@example.test`,
    role,
    partner: null,
    mustChangePassword: false,
  };
}
