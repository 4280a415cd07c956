import { createHash, randomBytes, randomInt } from "node:crypto";
import { MAX_PASSWORD_LENGTH } from "@fxbt/domain";
import argon2 from "argon2";

/**
 * Passwords and API keys. Passwords are slow-hashed with Argon2id (node-argon2's defaults:
 * 64 MiB, 3 passes, parallelism 4; about 0.1 s here), because people choose guessable ones.
 * API keys are 256 random bits, which no one can guess, so a SHA-256 lookup is enough and
 * every request can afford it.
 */

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export function verifyPassword(hash: string, password: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return Promise.resolve(false);
  return argon2.verify(hash, password);
}

/**
 * Compared against when no user has the email given, so a sign-in takes as long whether the
 * account exists or not (no user enumeration by timing).
 */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(16).toString("hex"));
  return decoyHash;
}

/** 24 characters from 31 without look-alikes (about 119 bits): typed once, then replaced by the user. */
export function generateOneTimePassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  const chars = Array.from({ length: 24 }, () => alphabet[randomInt(alphabet.length)]);
  return [0, 6, 12, 18].map((start) => chars.slice(start, start + 6).join("")).join("-");
}

/** What every API key starts with, so leaked keys are easy to find in code and logs. */
export const API_KEY_PREFIX = "fxbt_";

export interface GeneratedApiKey {
  /** Shown once to its creator, never stored. */
  key: string;
  /** Stored and listed, to recognise the key; far too short to use it. */
  prefix: string;
  keyHash: string;
}

export function generateApiKey(): GeneratedApiKey {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { key, prefix: key.slice(0, API_KEY_PREFIX.length + 6), keyHash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export function looksLikeApiKey(text: string): boolean {
  return text.startsWith(API_KEY_PREFIX) && text.length > API_KEY_PREFIX.length + 20;
}
