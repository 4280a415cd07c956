import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The repository's root: where `npm run admin` and `npx tsx apps/api/src/admin.ts` are run from. */
export const REPO = fileURLToPath(new URL("../../../", import.meta.url));

export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command from the repository's root to its end, with these variables added to the environment. */
export function runCommand(command: string, args: string[], env: Record<string, string>, stdin?: string): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? "");
  });
}
