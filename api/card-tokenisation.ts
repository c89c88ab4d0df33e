/**
 * A card as entered goes to the payment gateway here and only its token comes back, before
 * anything is stored: the gateway's refusals become TMF errors naming the request field.
 */
import { randomUUID } from 'node:crypto';
import { CardDeclinedError, GatewayUnavailableError, type CardDetails, type PaymentGateway } from '../activities/payments/gateway';
import type { NewPaymentMethod } from '../db/registrations';
import { cardBrand, normalizePan } from '../domain/payment/card';
import { TmfError } from './tmf/errors';

/** The card as a new payment method holding the gateway's token; 422 when declined, 503 when the gateway is away. */
export async function tokeniseCard(gateway: PaymentGateway, card: CardDetails, field: string): Promise<NewPaymentMethod> {
  const number = normalizePan(card.number);
  try {
    const token = await gateway.tokenizeCard({ ...card, number }, cardBrand(number));
    return {
      id: randomUUID(),
      type: 'card',
      holderName: card.holderName,
      gatewayToken: token.token,
      brand: token.brand,
      last4: token.last4,
      expiryMonth: token.expiryMonth,
      expiryYear: token.expiryYear,
    };
  } catch (err) {
    if (err instanceof CardDeclinedError) throw new TmfError(422, 'Card Declined', `${field}: ${err.message}`);
    if (err instanceof GatewayUnavailableError) throw new TmfError(503, 'Service Unavailable', 'the payment gateway is not answering; try again');
    throw err;
  }
}
