import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import type { AccessService } from "../services/access";

/** Somewhere to show a secret to the person at the keyboard, and nowhere else. */
export interface Terminal {
  write(text: string): void;
}

/**
 * The controlling terminal itself (/dev/tty), not standard output or error: those are often
 * redirected to a log file, and a password must never land in one. Null without a terminal
 * (a service manager, a container).
 */
export function controllingTerminal(): Terminal | null {
  try {
    const fd = openSync("/dev/tty", "w");
    return {
      write(text) {
        writeSync(fd, text);
        closeSync(fd);
      },
    };
  } catch {
    return null;
  }
}

/**
 * On the first start of an empty database, makes an ADMIN and shows its one-time password once,
 * on the terminal. The log says only that it happened. Without a terminal the password is
 * shown nowhere: the log says how to make a new one with the admin command.
 */
export async function createFirstAdmin(access: AccessService, email: string, terminal: Terminal | null, log: Logger): Promise<void> {
  const created = await access.createFirstAdmin(email);
  if (!created) return;
  if (terminal) {
    terminal.write(
      [
        "",
        "  ┌ FX Batch Trader: first run ───────────────────────────────────────",
        `  │ An ADMIN was created: ${created.email}`,
        `  │ One-time password:   ${created.oneTimePassword}`,
        "  │ Sign in at /login and choose your own password. It is not shown again.",
        "  └───────────────────────────────────────────────────────────────────",
        "",
      ].join("\n"),
    );
    log.info({ email: created.email }, "first run: an ADMIN was created and its one-time password shown on the terminal");
  } else {
    log.warn(
      { email: created.email },
      `first run: an ADMIN was created, but there is no terminal to show its one-time password; run: npm run admin -- reset-password ${created.email}`,
    );
  }
}

/**
 * The session secrets: SESSION_SECRET when set. Otherwise, with the embedded database, one kept
 * beside its data (mode 0600), so sessions outlive a restart; with a database server and several
 * instances, SESSION_SECRET must be set (each instance would otherwise sign cookies the others refuse).
 */
export function sessionSecrets(configured: string[] | undefined, embeddedDataDir: string | null, log: Logger): string[] {
  if (configured?.length) return configured;
  if (embeddedDataDir) {
    const file = path.join(path.dirname(path.resolve(embeddedDataDir)), "session-secret");
    try {
      return [readFileSync(file, "utf8").trim()];
    } catch {
      const secret = randomBytes(32).toString("base64url");
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${secret}\n`, { mode: 0o600 });
      return [secret];
    }
  }
  log.warn("SESSION_SECRET is not set: sessions end when this process stops, and other instances refuse its cookies");
  return [randomBytes(32).toString("base64url")];
}
