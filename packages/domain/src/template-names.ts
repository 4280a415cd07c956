import { characterCount, textLengthProblem, unstorableTextProblem } from "./csv-schema";
import { BATCH_NAME_MAX } from "./limits";

/**
 * A batch template's name and the pattern that names the batches staged from it: the rules the API
 * applies and the dashboard checks as people type. Pure, and free of the value-date calendar, so the
 * dashboard can import it alone ("@fxbt/domain/template-names").
 */

/** A template's name: what people pick it by; unique per owner whatever its case. */
export const TEMPLATE_NAME_MAX = 100;
/** A name pattern is at most this long (the names it gives are held to BATCH_NAME_MAX: patternNamesLengthProblem). */
export const NAME_PATTERN_MAX = 200;

/** The placeholders of a name pattern and what each becomes when a batch is staged. */
export const NAME_PATTERN_PLACEHOLDERS = {
  date: "the staging day, UTC, YYYY-MM-DD",
  time: "the staging time, UTC, HH:MM",
  n: "how many batches were staged from the template, this one included (1, 2, …)",
  template: "the template's name",
} as const;
export type NamePlaceholder = keyof typeof NAME_PATTERN_PLACEHOLDERS;

const PLACEHOLDER_LIST = Object.keys(NAME_PATTERN_PLACEHOLDERS)
  .map((name) => `{${name}}`)
  .join(", ");

/** The one wording of the syntax, for error messages and the page. */
export const NAME_PATTERN_RULE = `placeholders are ${PLACEHOLDER_LIST}; write {{ and }} for a literal brace`;

/** Why this cannot be a template's name (the subject "name" included), or null when it can. */
export function templateNameProblem(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed === "") return "name is required";
  const unstorable = unstorableTextProblem(trimmed);
  if (unstorable) return `name ${unstorable}`;
  return textLengthProblem("name", trimmed, TEMPLATE_NAME_MAX);
}

type Piece = { text: string } | { placeholder: NamePlaceholder };

type Parsed = { ok: true; pieces: Piece[] } | { ok: false; problem: string };

/** Splits a pattern into text and placeholders; character positions in problems count from 1. */
function parsePattern(pattern: string): Parsed {
  const pieces: Piece[] = [];
  let text = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if ((char === "{" || char === "}") && pattern[i + 1] === char) {
      text += char;
      i++;
    } else if (char === "}") {
      return { ok: false, problem: `has a '}' with no '{' at character ${i + 1}; ${NAME_PATTERN_RULE}` };
    } else if (char === "{") {
      const end = pattern.indexOf("}", i);
      if (end < 0) return { ok: false, problem: `has a '{' that is never closed at character ${i + 1}; ${NAME_PATTERN_RULE}` };
      const name = pattern.slice(i + 1, end);
      if (!Object.hasOwn(NAME_PATTERN_PLACEHOLDERS, name)) {
        return { ok: false, problem: `has an unknown placeholder {${name}} at character ${i + 1}; ${NAME_PATTERN_RULE}` };
      }
      if (text) pieces.push({ text });
      text = "";
      pieces.push({ placeholder: name as NamePlaceholder });
      i = end;
    } else {
      text += char;
    }
  }
  if (text) pieces.push({ text });
  return { ok: true, pieces };
}

/** Why this cannot be a name pattern (the subject "namePattern" included), or null when it can. */
export function namePatternProblem(pattern: string): string | null {
  if (pattern.trim() === "") return "namePattern must not be blank; leave it out to name batches after the template";
  const unstorable = unstorableTextProblem(pattern);
  if (unstorable) return `namePattern ${unstorable}`;
  const tooLong = textLengthProblem("namePattern", pattern, NAME_PATTERN_MAX);
  if (tooLong) return tooLong;
  const parsed = parsePattern(pattern);
  return parsed.ok ? null : `namePattern ${parsed.problem}`;
}

/** {n} at its longest when a pattern's names are measured: a template staged up to 999,999,999 times. */
const LONGEST_COUNT_DIGITS = 9;

/**
 * Why the names `pattern` gives the batches of a template named `template` can be longer than a
 * batch's name may be (BATCH_NAME_MAX), or null: each placeholder counted at its longest ({date} 10
 * characters, {time} 5, {n} 9 digits, {template} the name). Checked when a template is saved or
 * renamed: otherwise every staging from it was refused, for a name nobody typed.
 */
export function patternNamesLengthProblem(pattern: string | null, template: string): string | null {
  if (pattern === null) return null;
  const parsed = parsePattern(pattern);
  if (!parsed.ok) return null;
  const longest: Record<NamePlaceholder, number> = { date: 10, time: 5, n: LONGEST_COUNT_DIGITS, template: characterCount(template) };
  let characters = 0;
  for (const piece of parsed.pieces) characters += "text" in piece ? characterCount(piece.text) : longest[piece.placeholder];
  if (characters <= BATCH_NAME_MAX) return null;
  return (
    `namePattern gives names of up to ${characters} characters with the template named ${JSON.stringify(template)}, ` +
    `more than the ${BATCH_NAME_MAX} a batch's name may have ({date} counts 10, {time} 5, {n} 9, {template} the name): shorten it or the name`
  );
}

/** What a pattern's placeholders become for one staging. */
export interface NameValues {
  /** When the batch is staged; {date} and {time} are its UTC date and time. */
  now: Date;
  /** {n}: the template's stagings, this one included. */
  n: number;
  /** {template}: the template's name. */
  template: string;
}

/**
 * The name a template gives a batch staged now: its pattern with each placeholder replaced, or the
 * template's own name when it has no pattern.
 * @throws RangeError for a pattern namePatternProblem refuses (templates are saved checked).
 */
export function renderNamePattern(pattern: string | null, values: NameValues): string {
  if (pattern === null) return values.template;
  const parsed = parsePattern(pattern);
  if (!parsed.ok) throw new RangeError(`namePattern ${parsed.problem}`);
  const iso = values.now.toISOString();
  const replacement: Record<NamePlaceholder, string> = {
    date: iso.slice(0, 10),
    time: iso.slice(11, 16),
    n: String(values.n),
    template: values.template,
  };
  return parsed.pieces
    .map((piece) => ("text" in piece ? piece.text : replacement[piece.placeholder]))
    .join("")
    .trim();
}
