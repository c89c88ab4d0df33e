import { isValidEmail } from './email';

describe('isValidEmail', () => {
  it.each([
    ['ana@example.es', true],
    ['ana.garcia+bss@mail.example.co.uk', true],
    ['o\'brien@example.ie', true],
    ['kari@xn--nrge-qoa.no', true],
    ['jose@correo.españa.es', true],
    [`${'a'.repeat(64)}@${'b'.repeat(185)}.com`, true], // 254 characters
    [`${'a'.repeat(64)}@${'b'.repeat(186)}.com`, false], // 255
    ['ana@localhost', false],
    ['ana.example.es', false],
    ['ana@@example.es', false],
    ['ana@mail@example.es', false],
    ['@example.es', false],
    ['ana@', false],
    ['ana@.example.es', false],
    ['ana@example..es', false],
    ['ana@example.es.', false],
    ['ana @example.es', false],
    [' ana@example.es', false],
    ['ana@exam\tple.es', false],
    ['', false],
  ])('%p → %p', (email, expected) => expect(isValidEmail(email)).toBe(expected));
});
