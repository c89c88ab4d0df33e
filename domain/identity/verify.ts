/**
 * The identity-verification step of customer registration: decides whether the declared person
 * and document can be accepted automatically, must be refused, or need a person to look.
 */
import { ageOn, compareDates, parseIsoDate, toCalendarDate, type DateInput } from './calendar';
import { validateNationalId, type IdentityDocument } from './national-id';
import { normalizePersonName, personNameProblem, scriptsOf } from './person-name';

export interface IdentityInput {
  givenName: string;
  familyName: string;
  /** YYYY-MM-DD as declared by the customer. */
  birthDate: string;
  document: IdentityDocument;
}

export interface VerificationContext {
  /** The calendar day of the registration (YYYY-MM-DD, or a Date read in UTC). */
  today: DateInput;
  /** Set by the caller when the same document already belongs to a customer. */
  duplicateCustomerId?: string;
}

export type VerificationOutcome =
  | { outcome: 'verified' }
  | { outcome: 'rejected'; reasons: string[] }
  | { outcome: 'manualReview'; reasons: string[] };

/** Contracts need a customer of full age. */
export const MINIMUM_AGE = 18;
/** Older than this is more likely a typing error than a customer: a person checks. */
export const MAX_PLAUSIBLE_AGE = 110;

/** Decides whether a registration's identity data is verified, rejected or needs manual review. */
export function verifyIdentity(input: IdentityInput, ctx: VerificationContext): VerificationOutcome {
  // Every rule is evaluated and every reason reported, so the customer can fix everything at
  // once. Any rejection gives `rejected` with only the rejection reasons (review notes would read
  // as reasons for the refusal); otherwise any review reason gives `manualReview`.
  const today = toCalendarDate(ctx.today); // a bad clock is a programming error: throws
  const rejected: string[] = [];
  const review: string[] = [];

  // Document: a wrong check digit is a typo or an invented number → rejected. A document we have
  // no algorithm for (passports, other countries) may be fine → a person compares it.
  const document = validateNationalId(input.document);
  if (document.valid === false) rejected.push(`document: ${document.reason}`);
  if (document.valid === 'unchecked') review.push(`document: ${document.reason}`);

  // Duplicate: one document, one customer. The reason must not name the other customer, since
  // it is shown to whoever is registering.
  if (ctx.duplicateCustomerId !== undefined) rejected.push('document already belongs to an existing customer');

  const birth = parseIsoDate(input.birthDate);
  if (!birth) {
    // An impossible date (2001-02-30) cannot be anybody's birthday → rejected.
    rejected.push('birth date is not a valid calendar date (YYYY-MM-DD)');
  } else if (compareDates(birth, today) > 0) {
    rejected.push('birth date is in the future');
  } else {
    const age = ageOn(input.birthDate, ctx.today);
    // Minors cannot sign the contract → rejected.
    if (age < MINIMUM_AGE) rejected.push(`must be at least ${MINIMUM_AGE} years old`);
    // Over 110 is possible but rare enough to be a typo (1925 for 1952) → review.
    if (age > MAX_PLAUSIBLE_AGE) review.push(`age over ${MAX_PLAUSIBLE_AGE}`);
    // A birth date encoded in the number (Norway) must be the declared one, or the document
    // belongs to someone else → rejected.
    if (document.valid === true && document.birthDate !== undefined && document.birthDate !== input.birthDate) {
      rejected.push('birth date does not match the one encoded in the document');
    }
  }

  // Names: only letters (any script), spaces, hyphens, apostrophes and dots, 1–60 characters,
  // otherwise rejected: anything else is not a name and would break letters and invoices.
  const givenProblem = personNameProblem(input.givenName);
  const familyProblem = personNameProblem(input.familyName);
  if (givenProblem) rejected.push(`given name ${givenProblem}`);
  if (familyProblem) rejected.push(`family name ${familyProblem}`);
  if (!givenProblem && !familyProblem) {
    const given = normalizePersonName(input.givenName);
    const family = normalizePersonName(input.familyName);
    // Same given and family name is how people with a single name are often registered, but
    // also how a careless or made-up entry looks → review.
    if (given.toLowerCase() === family.toLowerCase()) review.push('given name equals family name');
    // Latin mixed with Cyrillic and the like is the mark of look-alike letters (a Cyrillic "а"
    // in "Mаria") or copy-paste → review. Checked over both names together.
    const scripts = scriptsOf(`${given} ${family}`);
    if (scripts.length > 1) review.push(`name mixes scripts: ${scripts.join(', ')}`);
  }

  if (rejected.length > 0) return { outcome: 'rejected', reasons: rejected };
  if (review.length > 0) return { outcome: 'manualReview', reasons: review };
  return { outcome: 'verified' };
}
