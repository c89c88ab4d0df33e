/**
 * Personal names as typed in a registration form. Names are kept permissive (any script,
 * particles, initials) because a refusal locks a real person out; what looks odd but may be real
 * goes to manual review instead (see verify.ts).
 */

/** Longest name we accept: what fits on invoices and SIM-card letters. */
export const MAX_NAME_LENGTH = 60;

/** NFC and trimmed, so "é" typed as e + combining accent counts and compares as one letter. */
export function normalizePersonName(name: string): string {
  return name.normalize('NFC').trim();
}

/** Why a name cannot be accepted (1–60 letters of any script, spaces, - ' ’ and dots), or undefined. */
export function personNameProblem(name: string): string | undefined {
  const value = normalizePersonName(name);
  if (value === '') return 'is empty';
  // Count code points, not UTF-16 units, so a name in a supplementary-plane script is not cut short.
  if ([...value].length > MAX_NAME_LENGTH) return `is longer than ${MAX_NAME_LENGTH} characters`;
  // Marks must follow a letter: Devanagari vowel signs and decomposed accents are marks.
  if (!/^[\p{L} '’.-][\p{L}\p{M} '’.-]*$/u.test(value) || /[^\p{L}\p{M}]\p{M}/u.test(value)) {
    return 'may contain only letters, spaces, hyphens, apostrophes and dots';
  }
  if (!/\p{L}/u.test(value)) return 'must contain a letter';
  return undefined;
}

// Scripts people write names in. Han, kana and Hangul form one group because Japanese and Korean
// names mix them legitimately.
const SCRIPT_GROUPS: readonly (readonly [string, RegExp])[] = [
  ...['Latin', 'Greek', 'Cyrillic', 'Armenian', 'Georgian', 'Hebrew', 'Arabic', 'Syriac', 'Thaana', 'Devanagari', 'Bengali', 'Gurmukhi',
    'Gujarati', 'Oriya', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Sinhala', 'Thai', 'Lao', 'Tibetan', 'Myanmar', 'Ethiopic', 'Khmer',
    'Mongolian'].map((script) => [script, new RegExp(`\\p{Script=${script}}`, 'u')] as const),
  ['CJK', /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]/u],
];

/** The scripts the letters of a text are written in, in order of first appearance ('Other' if unlisted). */
export function scriptsOf(text: string): string[] {
  // Letters shared by all scripts (like the Japanese long-vowel mark) belong to none, so skip them.
  const found = new Set<string>();
  for (const char of text.normalize('NFC')) {
    if (!/\p{L}/u.test(char) || /[\p{Script=Common}\p{Script=Inherited}]/u.test(char)) continue;
    found.add(SCRIPT_GROUPS.find(([, pattern]) => pattern.test(char))?.[0] ?? 'Other');
  }
  return [...found];
}
