/**
 * Reading environment variables, declaratively: describe each variable (its name, what it
 * must hold, its default) under the key its value should have, and {@link readEnv} returns
 * the typed values, or throws an error that names the variable, says what was expected and
 * quotes what was given: `RUNNER_CONCURRENCY must be a whole number of at least 1, got "abc"`.
 *
 * Values are trimmed; an unset or empty value takes the variable's default, or is left out of
 * the result when it has none (so that a library's own default applies). Numbers are checked
 * as text: plain decimal digits only, no "1e3", "0x10", "90%" or "Infinity".
 */

/** The environment, or any stand-in for it (tests pass plain objects). */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * One variable: its name, what it must hold and its default, made by {@link integer},
 * {@link decimal}, {@link text}, {@link list} or {@link oneOf}. `Default` is `undefined` when
 * there is none; the variable is then left out of {@link readEnv}'s result when unset or empty.
 */
export interface Variable<T, Default extends T | undefined = T | undefined> {
  /** The environment variable's name: "RUNNER_CONCURRENCY". */
  readonly name: string;
  /** What a valid value looks like, for the error message: "a whole number of at least 1". */
  readonly expected: string;
  /** The value of an unset or empty variable; undefined leaves the variable out. */
  readonly default: Default;
  /** The value of the trimmed, non-empty text, or undefined when the text is not valid. */
  parse(text: string): T | undefined;
}

/** Options of {@link integer} and {@link decimal}. */
export interface NumberOptions {
  /** The smallest value allowed. Default 0. */
  min?: number;
  /**
   * The largest value allowed. Default none (for {@link integer}, the largest safe integer); for
   * milliseconds, {@link MAX_TIMER_MS}.
   */
  max?: number;
  /** The value when unset or empty. Default none: the variable is left out. */
  default?: number;
  /** The unit the number counts, named in the error message ("milliseconds"). Default none. */
  unit?: string;
  /** A valid value, quoted in the error message as "(e.g. …)". Default none. */
  example?: string;
}

/** Options of {@link text}, {@link list} and {@link oneOf}. */
export interface DefaultOption<T> {
  /** The value when unset or empty. Default none: the variable is left out. */
  default?: T;
}

type DefaultOf<O> = O extends { default: infer D } ? D : undefined;

/**
 * The longest delay a Node.js timer keeps, the largest value a setting counted in milliseconds
 * takes: a longer one fires after 1 ms instead (TimeoutOverflowWarning), so a socket's wait for
 * connection_init of 3,000,000,000 ms would close every socket at once.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** The options' max, or for milliseconds the longest timer. */
function maxOf({ max, unit }: NumberOptions): number | undefined {
  return max ?? (unit === "milliseconds" ? MAX_TIMER_MS : undefined);
}

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?(\d+(\.\d*)?|\.\d+)$/;

/** "a whole number of at least 1", "a number of milliseconds between 0 and 2147483647 (e.g. 150)", "a number between 0 and 1". */
function describe(kind: string, min: number, max: number | undefined, { unit, example }: NumberOptions): string {
  // "of at least" reads well right after "number"; after "of milliseconds", ≥ avoids a second "of".
  const range = max !== undefined ? ` between ${min} and ${max}` : unit ? ` ≥ ${min}` : ` of at least ${min}`;
  return `${kind}${unit ? ` of ${unit}` : ""}${range}${example ? ` (e.g. ${example})` : ""}`;
}

function numberIn(value: number, min: number, max: number | undefined): number | undefined {
  // `+ 0` turns "-0" into 0.
  return Number.isFinite(value) && value >= min && (max === undefined || value <= max) ? value + 0 : undefined;
}

/**
 * A whole number in [min, max], written in decimal digits. Defaults: min 0, no max (for
 * milliseconds, {@link MAX_TIMER_MS}), no default value (left out when unset or empty).
 */
export function integer<const O extends NumberOptions>(name: string, options: O = {} as O): Variable<number, DefaultOf<O>> {
  const { min = 0 } = options;
  const max = maxOf(options);
  return {
    name,
    expected: describe("a whole number", min, max, options),
    default: options.default as DefaultOf<O>,
    parse: (text) => (INTEGER.test(text) && Number.isSafeInteger(Number(text)) ? numberIn(Number(text), min, max) : undefined),
  };
}

/**
 * A number in [min, max], written in decimal digits with an optional fraction ("0.9", "12.",
 * ".5"). Defaults: min 0, no max, no default value (left out when unset or empty).
 */
export function decimal<const O extends NumberOptions>(name: string, options: O = {} as O): Variable<number, DefaultOf<O>> {
  const { min = 0 } = options;
  const max = maxOf(options);
  return {
    name,
    expected: describe("a number", min, max, options),
    default: options.default as DefaultOf<O>,
    parse: (text) => (DECIMAL.test(text) ? numberIn(Number(text), min, max) : undefined),
  };
}

/**
 * A positive decimal amount kept as written (money is never a float): "1000000", "250000.50".
 * Default: none (left out when unset or empty).
 */
export function amount(name: string): Variable<string, undefined> {
  return {
    name,
    expected: "a positive decimal amount (e.g. 1000000.00)",
    default: undefined,
    parse: (value) => (/^\d{1,18}(\.\d{1,4})?$/.test(value) && /[1-9]/.test(value) ? value : undefined),
  };
}

/**
 * A variable of the caller's own kind: `parse` returns the value, or undefined when the text is
 * not valid; `expected` says what a valid value looks like, for the error message.
 */
export function custom<T, const O extends DefaultOption<T>>(
  name: string,
  expected: string,
  parse: (text: string) => T | undefined,
  options: O = {} as O,
): Variable<T, DefaultOf<O>> {
  return { name, expected, default: options.default as DefaultOf<O>, parse };
}

/** Any non-empty text, trimmed. Default: none (left out when unset or empty). */
export function text<const O extends DefaultOption<string>>(name: string, options: O = {} as O): Variable<string, DefaultOf<O>> {
  return { name, expected: "some text", default: options.default as DefaultOf<O>, parse: (value) => value };
}

/**
 * Comma-separated items, each trimmed, empty items dropped ("a, b,,c" is ["a", "b", "c"]).
 * Default: none (left out when unset or empty).
 */
export function list<const O extends DefaultOption<string[]>>(name: string, options: O = {} as O): Variable<string[], DefaultOf<O>> {
  return {
    name,
    expected: "a comma-separated list",
    default: options.default as DefaultOf<O>,
    parse: (value) => {
      const items = value
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean);
      return items.length > 0 ? items : undefined;
    },
  };
}

/** One of the given words, exactly as written. Default: none (left out when unset or empty). */
export function oneOf<const W extends string, const O extends DefaultOption<W>>(
  name: string,
  words: readonly W[],
  options: O = {} as O,
): Variable<W, DefaultOf<O>> {
  return {
    name,
    expected: `one of ${words.join(", ")}`,
    default: options.default as DefaultOf<O>,
    parse: (value) => words.find((word) => word === value),
  };
}

type AnyVariable = Variable<unknown, unknown>;
type RequiredKeys<S> = { [K in keyof S]: S[K] extends Variable<unknown, infer D> ? (undefined extends D ? never : K) : never }[keyof S];
type OptionalKeys<S> = Exclude<keyof S, RequiredKeys<S>>;
type ValueOf<V> = V extends Variable<infer T, infer _D> ? T : never;

/** What {@link readEnv} returns: a value under every key whose variable has a default, an optional one under the rest. */
export type EnvValues<S> = { [K in RequiredKeys<S>]: ValueOf<S[K]> } & { [K in OptionalKeys<S>]?: ValueOf<S[K]> };

/**
 * Reads each variable from `env` into the key it is given under: `readEnv(env, { port:
 * integer("PORT", { default: 4000 }) })` is `{ port: 4000 }` when PORT is unset. Keys whose
 * variable is unset or empty and has no default are left out. Throws on the first variable
 * whose value is not valid: `NAME must be <expected>, got "<trimmed value>"`.
 */
export function readEnv<const S extends Record<string, AnyVariable>>(env: Env, variables: S): EnvValues<S> {
  const values: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(variables)) {
    const given = env[variable.name]?.trim();
    if (given === undefined || given === "") {
      if (variable.default !== undefined) values[key] = variable.default;
      continue;
    }
    const value = variable.parse(given);
    if (value === undefined) throw new Error(`${variable.name} must be ${variable.expected}, got "${given}"`);
    values[key] = value;
  }
  return values as EnvValues<S>;
}
