/**
 * A charging engine for front-end tests: records every request it is given, answers with a
 * function the test sets (by default: grant what was asked, or 600 units, valid 300 s), and
 * answers a repeated session + request number with its first answer, as the real engine does.
 */
import type { ChargingAnswer, ChargingEngine, ChargingQuote, ChargingRequest, RefundRequest } from '../../ocs/engine/types';

/** The default answer: every rating group granted what it asked for (600 when unspecified). */
export function grantAll(request: ChargingRequest): ChargingAnswer {
  return {
    sessionId: request.sessionId,
    requestNumber: request.requestNumber,
    resultCode: 2001,
    units: request.units.map((u) => ({
      ratingGroup: u.ratingGroup,
      ...(u.serviceIdentifier !== undefined ? { serviceIdentifier: u.serviceIdentifier } : {}),
      resultCode: 2001,
      ...(u.requested && request.type !== 'termination' ? { granted: { quantity: u.requested.quantity ?? '600' }, validityTime: 300 } : {}),
    })),
  };
}

/** See the file comment. */
export class FakeEngine implements ChargingEngine {
  readonly requests: ChargingRequest[] = [];
  /** How many times a request was charged for the first time (retransmissions excluded). */
  charged = 0;
  respond: (request: ChargingRequest) => ChargingAnswer | Promise<ChargingAnswer> = grantAll;
  /** The answer to balance checks and price enquiries: by default enough credit, at 0.10 EUR. */
  quoteWith: (request: ChargingRequest) => ChargingQuote = () => ({ resultCode: 2001, enoughCredit: true, cost: { amount: '0.1', currency: 'EUR' } });
  private readonly answers = new Map<string, Promise<ChargingAnswer>>();

  /** From now on, answers the requests `which` picks (all by default) only once the returned function is called; the others at once. */
  hold(which: (request: ChargingRequest) => boolean = () => true): () => void {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    this.respond = async (request) => {
      if (which(request)) await held;
      return grantAll(request);
    };
    return release;
  }

  charge(request: ChargingRequest): Promise<ChargingAnswer> {
    this.requests.push(request);
    const key = `${request.sessionId}#${request.requestNumber}`;
    const first = this.answers.get(key);
    if (first) return first;
    this.charged++;
    const answer = Promise.resolve().then(() => this.respond(request));
    this.answers.set(key, answer);
    return answer;
  }

  quote(request: ChargingRequest): Promise<ChargingQuote> {
    this.requests.push(request);
    return Promise.resolve(this.quoteWith(request));
  }

  /** Refunds asked for; each answered success for every rating group. */
  readonly refunds: RefundRequest[] = [];

  refund(request: RefundRequest): Promise<ChargingAnswer> {
    this.refunds.push(request);
    return Promise.resolve({ sessionId: request.sessionId, requestNumber: request.requestNumber, resultCode: 2001, units: request.units.map((u) => ({ ratingGroup: u.ratingGroup, resultCode: 2001 })) });
  }
}
