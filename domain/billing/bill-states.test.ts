import { refuseClientBillMove } from './bill-states';

describe('client moves of a bill', () => {
  it.each([
    ['new', 'onHold'],
    ['sent', 'onHold'],
    ['partiallyPaid', 'onHold'],
    ['onHold', 'sent'],
    ['onHold', 'new'],
    ['sent', 'sent'],
  ])('%s → %s is allowed', (from, to) => expect(refuseClientBillMove(from, to)).toBeUndefined());

  it.each([
    ['settled', 'onHold', 'a settled bill cannot be put on hold'],
    ['onHold', 'settled', 'a bill on hold is released to new, validated, sent, not settled'],
    ['sent', 'settled', 'only payments move a bill from sent to settled; a client may put it on hold and release it'],
    ['new', 'partiallyPaid', 'only payments move a bill from new to partiallyPaid; a client may put it on hold and release it'],
  ])('%s → %s is refused', (from, to, why) => expect(refuseClientBillMove(from, to)).toBe(why));
});
