import { userInfo } from "node:os";
import { Command, InvalidArgumentError } from "commander";
import { GraphQLError } from "graphql";
import { pino } from "pino";
import { withAccess, withDatabase } from "./admin-access";
import { toApiKeyView, toUserView } from "./services/access";
import { Archival } from "./services/archival";
import type { Actor } from "./services/audit";

/**
 * `npm run admin -- <command>`: users and API keys, and the archival run (`archive`), from a shell, with no prompt, for scripts, CI
 * and tests. It opens the same database as the server (DATABASE_URL, or the embedded one in
 * DATA_DIR, which it shares when the server is running), and its changes are audited like the
 * API's. Secrets are printed alone on the last line of standard output; everything else goes to
 * standard error.
 */

const ROLES = ["VIEWER", "TRADER", "ADMIN"];
const role = (value: string) => {
  if (!ROLES.includes(value)) throw new InvalidArgumentError(`must be one of ${ROLES.join(", ")}`);
  return value;
};

const actor: Actor = { kind: null, id: null, name: `admin command (${userInfo().username})`, address: null };

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

const table = (rows: Record<string, unknown>[]) => {
  if (rows.length === 0) return "(none)";
  const columns = Object.keys(rows[0]!);
  const cells = rows.map((row) => columns.map((column) => String(row[column] ?? "")));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((value, i) => value.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(columns), ...cells.map(line)].join("\n");
};

const program = new Command("admin")
  .description("Users and API keys of FX Batch Trader")
  .showHelpAfterError()
  .configureOutput({ writeOut: (text) => process.stderr.write(text) });

program
  .command("create-user")
  .description("create a user; prints a one-time password (to be replaced at first sign-in) on the last line")
  .requiredOption("--email <email>", "the email the user signs in with")
  .requiredOption("--role <role>", "VIEWER, TRADER or ADMIN", role)
  .option("--partner <partner>", "the partner whose batches alone the user sees")
  .option("--password-stdin", "read the first password from standard input instead (still replaced at first sign-in)")
  .action(async (options: { email: string; role: string; partner?: string; passwordStdin?: boolean }) => {
    const password = options.passwordStdin ? await readStdin() : null;
    const { user, oneTimePassword } = await withAccess((access) =>
      access.createUser(actor, { email: options.email, role: options.role, partner: options.partner, password }),
    );
    process.stderr.write(`created user ${user.email} (${user.role}${user.partner ? `, partner ${user.partner}` : ""})\n`);
    if (oneTimePassword) process.stdout.write(`${oneTimePassword}\n`);
  });

program
  .command("create-key")
  .description("create an API key; prints the key, shown this once, alone on the last line")
  .requiredOption("--role <role>", "VIEWER, TRADER or ADMIN", role)
  .option("--partner <partner>", "the partner whose batches alone the key sees")
  .option("--name <label>", "a label for lists and the audit log")
  .action(async (options: { role: string; partner?: string; name?: string }) => {
    const { apiKey, key } = await withAccess((access) => access.createApiKey(actor, options));
    process.stderr.write(
      `created API key ${apiKey.id} "${apiKey.name}" (${apiKey.role}${apiKey.partner ? `, partner ${apiKey.partner}` : ""})\n`,
    );
    process.stdout.write(`${key}\n`);
  });

program
  .command("revoke-key")
  .description("revoke an API key, given by its id or by the key itself; its open sockets close within seconds")
  .argument("<key-or-id>")
  .action(async (keyOrId: string) => {
    const key = await withAccess((access) => access.revokeApiKey(actor, keyOrId));
    process.stdout.write(`revoked API key ${key.id} "${key.name}" at ${key.revokedAt!.toISOString()}\n`);
  });

program
  .command("reset-password")
  .description("give a user a new one-time password (printed on the last line); ends their sessions and lifts a lock")
  .argument("<email>")
  .action(async (email: string) => {
    const oneTimePassword = await withAccess(async (access) => {
      const user = await access.userByEmail(email);
      if (!user) throw new GraphQLError(`no user has the email ${email}`);
      return (await access.resetPassword(actor, user.id)).oneTimePassword;
    });
    process.stderr.write(`new one-time password for ${email}\n`);
    process.stdout.write(`${oneTimePassword}\n`);
  });

program
  .command("list-keys")
  .description("list API keys (never the keys themselves)")
  .action(async () => {
    const keys = await withAccess((access) => access.listApiKeys());
    const rows = keys.map(toApiKeyView).map((k) => ({
      id: k.id,
      name: k.name,
      prefix: `${k.prefix}…`,
      role: k.role,
      partner: k.partner,
      created: k.createdAt,
      lastUsed: k.lastUsedAt,
      revoked: k.revokedAt,
    }));
    process.stdout.write(`${table(rows)}\n`);
  });

program
  .command("list-users")
  .description("list users")
  .action(async () => {
    const users = await withAccess((access) => access.listUsers());
    const rows = users.map(toUserView).map((u) => ({
      id: u.id,
      email: u.email,
      role: u.role,
      partner: u.partner,
      lastSignIn: u.lastSignInAt,
      lockedUntil: u.lockedUntil,
      disabled: u.disabledAt,
    }));
    process.stdout.write(`${table(rows)}\n`);
  });

const days = (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("must be a whole number of days, 0 or more");
  return Number(value);
};

program
  .command("archive")
  .description(
    "archive finished batches older than the retention (ARCHIVE_RETENTION_DAYS, 90) and delete staged batches never started " +
      "(STAGED_RETENTION_DAYS, 30), now; does nothing (exit code 2) while another instance is running it",
  )
  .option("--older-than-days <days>", "archive finished batches completed more than this many days ago instead", days)
  .action(async (options: { olderThanDays?: number }) => {
    const summary = await withDatabase((database, config) => {
      // Progress goes to standard error as the API logs it (pino, JSON lines); the summary is the last line of standard output.
      const log = pino({ level: config.logLevel }, pino.destination(2));
      return new Archival({ database, log, options: config.archival }).run({ olderThanDays: options.olderThanDays });
    });
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    if (summary.skipped) process.exitCode = 2;
  });

try {
  await program.parseAsync();
} catch (error) {
  // The API's own messages ("a user with email … already exists") are the answer; anything else is a fault.
  process.stderr.write(`admin: ${error instanceof GraphQLError ? error.message : String((error as Error).stack ?? error)}\n`);
  process.exitCode = 1;
}
