/**
 * `/api/registrations`: takes a registration from a channel, starts its workflow
 * (`registration-<id>`), and shows its state; documents and the agent's review go to the workflow.
 * Card numbers are tokenised here, before anything is stored, so that no number ever reaches the
 * database or a workflow history.
 */
import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import type { Knex } from 'knex';
import { Client, WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { PaymentGateway } from '../activities/payments/gateway';
import { documentModel } from '../db/crm-models';
import { attachDocumentContent, MAX_DOCUMENT_BYTES } from '../db/documents';
import { sampleAvailableMsisdns } from '../db/inventory';
import {
  findRegistration,
  findRegistrationByIdempotencyKey,
  insertRegistration,
  type NewPaymentMethod,
  updateRegistrationResults,
  type RegistrationRow,
} from '../db/registrations';
import { findResource } from '../db/tmf-resources';
import { createTmfResourceOnce } from '../db/tmf-store';
import type { Clock } from '../domain/clock';
import { normalizeE164 } from '../domain/contact/phone';
import { normalizeDocumentNumber } from '../domain/identity/national-id';
import { maskIban, normalizeIban } from '../domain/payment/iban';
import { blindIndex, encryptPii, maskTail, type PiiKeys } from '../domain/pii';
import type { registration } from '../workflows/registration';
import { documentUploadedSignal, reviewUpdate } from '../workflows/registration';
import { requireRole } from './auth';
import { tokeniseCard } from './card-tokenisation';
import { registrationRequestSchema, reviewRequestSchema, type RegistrationRequest } from './schemas/registration';
import { UPLOAD_TYPES } from './tmf667-document';
import { badRequest, describeZodError, idempotencyKeyOf, notFound, TmfError } from './tmf/errors';

export interface RegistrationApiDeps {
  knex: Knex;
  temporal: Client;
  taskQueue: string;
  clock: Clock;
  piiKeys: PiiKeys;
  gateway: PaymentGateway;
  publicUrl: string;
}

const staff = requireRole('admin', 'agent');
const workflowId = (registrationId: string) => `registration-${registrationId}`;

/** What the API shows of a registration: state and results, never the document number in clear. */
function view(r: RegistrationRow) {
  return {
    id: r.id,
    href: `/api/registrations/${r.id}`,
    state: r.state,
    reasons: r.reasons,
    channel: r.channel,
    language: r.language,
    givenName: r.applicant.givenName,
    familyName: r.applicant.familyName,
    nationalIdentity: { type: r.document.type, issuingCountry: r.document.country, number: r.document.numberMasked },
    paymentType: r.account.paymentType,
    documentId: r.documentId ?? undefined,
    customerId: r.customerId ?? undefined,
    billingAccountId: r.billingAccountId ?? undefined,
    msisdn: r.msisdn ?? undefined,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

async function tokenise(deps: RegistrationApiDeps, method: NonNullable<RegistrationRequest['paymentMethod']>): Promise<NewPaymentMethod> {
  if (method.type === 'card') return tokeniseCard(deps.gateway, method, 'paymentMethod');
  const iban = normalizeIban(method.iban);
  return { id: randomUUID(), type: 'directDebit', holderName: method.holderName, ibanSealed: encryptPii(deps.piiKeys, iban), ibanMasked: maskIban(iban) };
}

async function ensureWorkflow(deps: RegistrationApiDeps, registrationId: string): Promise<void> {
  try {
    await deps.temporal.workflow.start<typeof registration>('registration', {
      workflowId: workflowId(registrationId),
      taskQueue: deps.taskQueue,
      args: [{ registrationId }],
    });
  } catch (err) {
    // A repeated submission (same Idempotency-Key) finds its workflow already running or done.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}


export function registrationsRouter(deps: RegistrationApiDeps): Router {
  const router = express.Router();
  const { knex } = deps;

  router.get('/number-offers', staff, async (req, res) => {
    const count = Math.min(Math.max(Number(req.query.count ?? 5) || 5, 1), 20);
    res.json({ msisdns: await sampleAvailableMsisdns(knex, count) });
  });

  router.post('/', staff, async (req, res) => {
    const key = idempotencyKeyOf(req) ?? null;
    const sendAccepted = (r: RegistrationRow) => res.status(202).location(`${req.baseUrl}/${r.id}`).json(view(r));
    if (key) {
      const existing = await findRegistrationByIdempotencyKey(knex, key);
      if (existing) {
        await ensureWorkflow(deps, existing.id);
        return sendAccepted(existing);
      }
    }
    const parsed = registrationRequestSchema(deps.clock.now().toISOString().slice(0, 10)).safeParse(req.body);
    if (!parsed.success) throw badRequest(describeZodError(parsed.error));
    const r = parsed.data;
    const paymentMethod = r.paymentMethod ? await tokenise(deps, r.paymentMethod) : undefined;
    const documentNumber = normalizeDocumentNumber(r.nationalIdentity.number);
    const id = randomUUID();
    try {
      await insertRegistration(
        knex,
        {
          id,
          idempotencyKey: key,
          channel: r.channel,
          language: r.language,
          applicant: {
            givenName: r.givenName,
            familyName: r.familyName,
            birthDate: r.birthDate,
            email: r.contact.email,
            mobile: (normalizeE164(r.contact.mobile) as { e164: string }).e164,
            address: r.contact.address,
          },
          document: {
            type: r.nationalIdentity.type,
            country: r.nationalIdentity.issuingCountry,
            numberSealed: encryptPii(deps.piiKeys, documentNumber),
            numberIndex: blindIndex(deps.piiKeys, documentNumber),
            numberMasked: maskTail(documentNumber),
          },
          account: r.account,
          wantsMobile: r.service.mobile,
          preferredMsisdn: r.service.msisdn ? (normalizeE164(r.service.msisdn) as { e164: string }).e164 : null,
        },
        paymentMethod,
      );
    } catch (err) {
      // Two submissions with one key raced: the loser answers with the winner's registration.
      const winner = key && (err as { code?: string }).code === '23505' ? await findRegistrationByIdempotencyKey(knex, key) : undefined;
      if (!winner) throw err;
      await ensureWorkflow(deps, winner.id);
      return sendAccepted(winner);
    }
    await ensureWorkflow(deps, id);
    sendAccepted((await findRegistration(knex, id))!);
  });

  router.get('/:id', requireRole('admin', 'agent', 'customer'), async (req, res) => {
    const found = await findRegistration(knex, String(req.params.id));
    const principal = req.principal!;
    const customerOnly = principal.roles.every((r) => r === 'customer');
    if (!found || (customerOnly && found.customerId !== principal.customerId)) throw notFound(`registration ${req.params.id}`);
    res.json(view(found));
  });

  router.post('/:id/documents', staff, express.raw({ type: UPLOAD_TYPES, limit: MAX_DOCUMENT_BYTES }), async (req, res) => {
    const found = await findRegistration(knex, String(req.params.id));
    if (!found) throw notFound(`registration ${req.params.id}`);
    if (found.state !== 'collecting') throw new TmfError(409, 'Conflict', `registration is ${found.state}: the identity document can no longer change`);
    const bytes: unknown = req.body;
    if (!Buffer.isBuffer(bytes)) {
      if (req.is(UPLOAD_TYPES) === false) throw new TmfError(415, 'Unsupported Media Type', `send the scan as one of: ${UPLOAD_TYPES.join(', ')}`);
      throw badRequest('the document content is empty');
    }
    const now = deps.clock.now();
    const model = documentModel(deps.publicUrl);
    const { document, content } = await knex.transaction(async (trx) => {
      const created = await createTmfResourceOnce(
        trx,
        model,
        found.documentId ?? randomUUID(),
        {
          name: `Identity document of ${found.applicant.givenName} ${found.applicant.familyName}`,
          documentType: 'identityDocument',
          // TMF667 v4 has one relatedEntity, not a list.
          relatedEntity: { id: found.id, role: 'registration', '@referredType': 'Registration' },
        },
        { now, publicUrl: deps.publicUrl },
      );
      const locked = (await findResource(trx, model.table, created.id, { forUpdate: true }))!;
      const attached = await attachDocumentContent(trx, { keys: deps.piiKeys, publicUrl: deps.publicUrl, document: locked, bytes, attachmentType: 'identityDocumentScan', now });
      await updateRegistrationResults(trx, found.id, { documentId: created.id });
      return attached;
    });
    await deps.temporal.workflow.getHandle(workflowId(found.id)).signal(documentUploadedSignal, { documentId: document.id });
    res.status(201).json({ documentId: document.id, href: document.href, mimeType: content.mimeType, size: content.size, sha256: content.sha256 });
  });

  router.post('/:id/review', staff, async (req, res) => {
    const found = await findRegistration(knex, String(req.params.id));
    if (!found) throw notFound(`registration ${req.params.id}`);
    const parsed = reviewRequestSchema.safeParse(req.body);
    if (!parsed.success) throw badRequest(describeZodError(parsed.error));
    try {
      const status = await deps.temporal.workflow
        .getHandle(workflowId(found.id))
        .executeUpdate(reviewUpdate, { args: [{ ...parsed.data, agent: req.principal!.subject }] });
      res.json({ id: found.id, ...status });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new TmfError(409, 'Conflict', err.cause?.message ?? err.message);
      throw err;
    }
  });

  return router;
}
