/** The OpenAPI description of `/api/registrations`, from the zod schemas its routes validate with. */
import { binaryContent, commonErrors, errorResponse, idParam, json, jsonSchema, ref, type OpenApiPart } from './openapi';
import { UPLOAD_TYPES } from './tmf667-document';
import { registrationRequestSchema, reviewRequestSchema } from './schemas/registration';

const registrationSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    href: { type: 'string' },
    state: { enum: ['collecting', 'verifying', 'pendingReview', 'creatingAccount', 'completed', 'rejected', 'expired', 'failed'] },
    reasons: { type: 'array', items: { type: 'string' } },
    channel: { type: 'string' },
    language: { type: 'string' },
    givenName: { type: 'string' },
    familyName: { type: 'string' },
    nationalIdentity: {
      type: 'object',
      description: 'The number is masked: only its last three characters show',
      properties: { type: { type: 'string' }, issuingCountry: { type: 'string' }, number: { type: 'string' } },
    },
    paymentType: { enum: ['prepaid', 'postpaid'] },
    documentId: { type: 'string' },
    customerId: { type: 'string' },
    billingAccountId: { type: 'string' },
    msisdn: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'href', 'state', 'reasons'],
};

/** Paths of the registration API; `today` fixes the adult-age bound in the request schema. */
export function registrationsOpenApi(today: string): OpenApiPart {
  const tags = ['registration'];
  const idPath = '/api/registrations/{id}';
  return {
    schemas: {
      RegistrationRequest: jsonSchema(registrationRequestSchema(today)),
      Registration: registrationSchema,
      ReviewDecision: jsonSchema(reviewRequestSchema),
    },
    paths: {
      '/api/registrations': {
        post: {
          tags,
          operationId: 'startRegistration',
          description: 'Starts the registration workflow (agent or admin). The same Idempotency-Key returns the same registration.',
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 } }],
          requestBody: { required: true, content: json(ref('RegistrationRequest')) },
          responses: {
            '202': { description: 'Accepted; Location names the registration', content: json(ref('Registration')) },
            ...commonErrors,
            '422': errorResponse('The card was declined by the payment gateway'),
            '503': errorResponse('The payment gateway is not answering'),
          },
        },
      },
      '/api/registrations/number-offers': {
        get: {
          tags,
          operationId: 'offerNumbers',
          description: 'Available mobile numbers to choose from (nothing is held until the registration reserves one)',
          parameters: [{ name: 'count', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 20 } }],
          responses: {
            '200': { description: 'Numbers in E.164', content: json({ type: 'object', properties: { msisdns: { type: 'array', items: { type: 'string' } } } }) },
            ...commonErrors,
          },
        },
      },
      [idPath]: {
        get: {
          tags,
          operationId: 'getRegistration',
          parameters: [idParam],
          responses: { '200': { description: 'The registration and its state', content: json(ref('Registration')) }, ...commonErrors, '404': errorResponse('No such registration') },
        },
      },
      [`${idPath}/documents`]: {
        post: {
          tags,
          operationId: 'uploadRegistrationDocument',
          description: 'The scan of the identity document: pdf, png or jpeg by content, at most 5 MB; stored encrypted',
          parameters: [idParam],
          requestBody: { required: true, content: binaryContent(UPLOAD_TYPES) },
          responses: {
            '201': { description: 'Stored; the workflow goes on to verification', content: json({ type: 'object', properties: { documentId: { type: 'string' }, href: { type: 'string' }, mimeType: { type: 'string' }, size: { type: 'integer' }, sha256: { type: 'string' } } }) },
            ...commonErrors,
            '404': errorResponse('No such registration'),
            '409': errorResponse('The registration no longer collects documents'),
            '413': errorResponse('Larger than 5 MB'),
            '415': errorResponse('Not a pdf, png or jpeg'),
          },
        },
      },
      [`${idPath}/review`]: {
        post: {
          tags,
          operationId: 'reviewRegistration',
          description: "An agent's decision on a registration waiting for manual identity review",
          parameters: [idParam],
          requestBody: { required: true, content: json(ref('ReviewDecision')) },
          responses: {
            '200': { description: 'The decision was taken', content: json({ type: 'object' }) },
            ...commonErrors,
            '404': errorResponse('No such registration'),
            '409': errorResponse('The registration is not awaiting a review'),
          },
        },
      },
    },
  };
}
