import { personNameProblem, scriptsOf } from './person-name';

describe('personNameProblem', () => {
  it.each([
    'Ana',
    'Jean-Luc',
    "O'Brien",
    'O’Neill',
    'J. R. R.',
    'María José',
    'Núñez',
    'Øyvind',
    'Đặng',
    'Jose\u0301', // decomposed accent, NFC makes it one letter
    'Иван',
    'Νίκος',
    'محمد',
    'प्रिया', // Devanagari with a virama and a vowel sign (combining marks)
    '山田',
    'さくら',
    ' Ana ', // surrounding spaces from a form are trimmed
    'A',
    'A'.repeat(60),
  ])('accepts %p', (name) => expect(personNameProblem(name)).toBeUndefined());

  it.each([
    ['', 'is empty'],
    ['   ', 'is empty'],
    ['A'.repeat(61), 'is longer than 60 characters'],
    ['John3', 'may contain only letters, spaces, hyphens, apostrophes and dots'],
    ['Anna_Maria', 'may contain only letters, spaces, hyphens, apostrophes and dots'],
    ['Ana\tMaria', 'may contain only letters, spaces, hyphens, apostrophes and dots'],
    ['Ana 😀', 'may contain only letters, spaces, hyphens, apostrophes and dots'],
    ['Ana <b>', 'may contain only letters, spaces, hyphens, apostrophes and dots'],
    ['\u0301Ana', 'may contain only letters, spaces, hyphens, apostrophes and dots'],
    ['Ana -\u0301', 'may contain only letters, spaces, hyphens, apostrophes and dots'],
    ["-'.", 'must contain a letter'],
  ])('refuses %p: %p', (name, problem) => expect(personNameProblem(name)).toBe(problem));

  it('counts characters, not UTF-16 units', () => {
    expect(personNameProblem('𠀀'.repeat(60))).toBeUndefined(); // a CJK Extension B letter, 2 units each
  });
});

describe('scriptsOf', () => {
  it.each([
    ['Ana García', ['Latin']],
    ['Mаria', ['Latin', 'Cyrillic']], // the second letter is Cyrillic а
    ['Иван Smith', ['Cyrillic', 'Latin']],
    ['山田 さくら', ['CJK']],
    ['スーパー', ['CJK']], // the long-vowel mark belongs to no script
    ['Νίκος Παπαδόπουλος', ['Greek']],
    ["O'Brien-Smith J.", ['Latin']],
    ['Ana ᚠ', ['Latin', 'Other']], // Runic is not in the list
  ])('%p → %p', (text, scripts) => expect(scriptsOf(text)).toEqual(scripts));
});
