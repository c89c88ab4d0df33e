/**
 * The payment gateway adapter. A card number goes to the gateway and only its token comes back:
 * the number is never stored, logged or put in a workflow. The embedded default is a simulator
 * with the test cards payment gateways document (a decline, an outage); a real gateway is
 * another implementation of the same interface.
 */
import { randomBytes } from 'node:crypto';

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

export interface PaymentGateway {
  tokenizeCard(card: CardDetails, brand: string): Promise<CardToken>;
}

/** Test cards of the simulator, by their last four digits. */
export const SIMULATOR_DECLINED_LAST4 = '0002';
export const SIMULATOR_UNAVAILABLE_LAST4 = '0119';

/** The embedded gateway: tokenises any valid card except its documented test cards. */
export class SimulatedPaymentGateway implements PaymentGateway {
  async tokenizeCard(card: CardDetails, brand: string): Promise<CardToken> {
    const last4 = card.number.slice(-4);
    if (last4 === SIMULATOR_DECLINED_LAST4) throw new CardDeclinedError('do not honour');
    if (last4 === SIMULATOR_UNAVAILABLE_LAST4) throw new GatewayUnavailableError('payment gateway did not answer');
    return {
      token: `tok_sim_${randomBytes(12).toString('hex')}`,
      brand,
      last4,
      expiryMonth: card.expiryMonth,
      expiryYear: card.expiryYear,
    };
  }
}
