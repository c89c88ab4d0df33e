/**
 * The payment gateway adapter. A card number goes to the gateway and only its token comes back:
 * the number is never stored, logged or put in a workflow. The embedded default is a simulator
 * with the test cards payment gateways document (a decline, an outage); a real gateway is
 * another implementation of the same interface.
 */
import { randomBytes } from 'node:crypto';
import { money } from '../../domain/money';

export interface CardDetails {
  number: string;
  expiryMonth: number;
  expiryYear: number;
  holderName: string;
}

export interface CardToken {
  token: string;
  brand: string;
  last4: string;
  expiryMonth: number;
  expiryYear: number;
}

/** The gateway refused the card (a business outcome: ask for another method). */
export class CardDeclinedError extends Error {
  constructor(readonly reason: string) {
    super(`card declined: ${reason}`);
  }
}

/** The gateway could not be reached or did not answer (retry later). */
export class GatewayUnavailableError extends Error {}

export interface ChargeRequest {
  token: string;
  /** Decimal string in the currency's major unit ("24.20"). */
  amount: string;
  currency: string;
  /** The gateway answers a repeated key with the first outcome and charges once. */
  idempotencyKey: string;
  description: string;
}

export interface Charge {
  chargeId: string;
}

export interface RefundRequest {
  chargeId: string;
  amount: string;
  currency: string;
  idempotencyKey: string;
}

export interface PaymentGateway {
  tokenizeCard(card: CardDetails, brand: string): Promise<CardToken>;
  /** Charges a tokenised card; CardDeclinedError when the issuer refuses, GatewayUnavailableError when unsure. */
  charge(request: ChargeRequest): Promise<Charge>;
  refund(request: RefundRequest): Promise<{ refundId: string }>;
}

/** Test cards of the simulator, by their last four digits. */
export const SIMULATOR_DECLINED_LAST4 = '0002';
export const SIMULATOR_UNAVAILABLE_LAST4 = '0119';
/** Tokenises, but every charge on it is declined (insufficient funds). */
export const SIMULATOR_CHARGE_DECLINED_LAST4 = '0341';

/**
 * The embedded gateway: tokenises any valid card except its documented test cards, and charges
 * tokens it issued. Its tokens carry the last four digits so that any instance (API or worker)
 * knows the test card behind one.
 */
export class SimulatedPaymentGateway implements PaymentGateway {
  private readonly outcomes = new Map<string, Promise<Charge>>();

  async tokenizeCard(card: CardDetails, brand: string): Promise<CardToken> {
    const last4 = card.number.slice(-4);
    if (last4 === SIMULATOR_DECLINED_LAST4) throw new CardDeclinedError('do not honour');
    if (last4 === SIMULATOR_UNAVAILABLE_LAST4) throw new GatewayUnavailableError('payment gateway did not answer');
    return {
      token: `tok_sim_${last4}_${randomBytes(12).toString('hex')}`,
      brand,
      last4,
      expiryMonth: card.expiryMonth,
      expiryYear: card.expiryYear,
    };
  }

  charge(request: ChargeRequest): Promise<Charge> {
    const first = this.outcomes.get(request.idempotencyKey);
    if (first) return first;
    const outcome = (async () => {
      const match = /^tok_sim_(\d{4})_[0-9a-f]+$/.exec(request.token);
      if (!match) throw new CardDeclinedError('unknown card token');
      if (match[1] === SIMULATOR_CHARGE_DECLINED_LAST4) throw new CardDeclinedError('insufficient funds');
      if (!/^\d+(\.\d{1,2})?$/.test(request.amount) || money(request.amount).lte(0)) throw new CardDeclinedError('invalid amount');
      return { chargeId: `ch_sim_${randomBytes(12).toString('hex')}` };
    })();
    this.outcomes.set(request.idempotencyKey, outcome);
    return outcome;
  }

  async refund(request: RefundRequest): Promise<{ refundId: string }> {
    if (!request.chargeId.startsWith('ch_sim_')) throw new Error(`unknown charge ${request.chargeId}`);
    return { refundId: `re_sim_${randomBytes(12).toString('hex')}` };
  }
}
