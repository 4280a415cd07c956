/**
 * Users and API keys for the browser tests, made as the admin command makes them: the API's
 * AccessService on the e2e database (so they are audited like any). Runs in the global setup's
 * process; test files ask for a user through the control server (harness createAccount).
 */
import { randomBytes } from "node:crypto";
import { connectDatabase, type Database } from "@fxbt/db";
import { AccessService } from "../../api/src/services/access";
import type { Actor } from "../../api/src/services/audit";

export type E2ERole = "VIEWER" | "TRADER" | "ADMIN";

/** A user as a person receives it from an admin: an email and a one-time password. */
export interface NewAccount {
  email: string;
  oneTimePassword: string;
  role: E2ERole;
  partner: string | null;
}

const HARNESS: Actor = { kind: null, id: null, name: "e2e harness", address: null };

export class E2EAccounts {
  private constructor(
    private readonly database: Database,
    private readonly access: AccessService,
  ) {}

  static open(databaseUrl: string): E2EAccounts {
    const database = connectDatabase({ url: databaseUrl, maxConnections: 2 });
    return new E2EAccounts(database, new AccessService(database));
  }

  /** A user with a one-time password, which the browser replaces at first sign-in. */
  async createUser(options: { role: E2ERole; partner?: string | null; label?: string }): Promise<NewAccount> {
    const label = (options.label ?? options.role.toLowerCase()).replace(/[^a-z0-9-]/gi, "-").toLowerCase();
    const email = `e2e-${label}-${randomBytes(4).toString("hex")}@example.test`;
    const { oneTimePassword } = await this.access.createUser(HARNESS, { email, role: options.role, partner: options.partner ?? null });
    if (!oneTimePassword) throw new Error("createUser returned no one-time password");
    return { email, oneTimePassword, role: options.role, partner: options.partner ?? null };
  }

  /** An API key for the tests' direct API calls (arranging data, reading the server's state). */
  async createApiKey(role: E2ERole, name: string): Promise<string> {
    return (await this.access.createApiKey(HARNESS, { role, name })).key;
  }

  close(): Promise<void> {
    return this.database.close();
  }
}
