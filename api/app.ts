/** The Express application: operations endpoints, security, and the TMF APIs. */
import express, { type Express } from 'express';
import type { Knex } from 'knex';
import { Client, type Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import type { PaymentGateway } from '../activities/payments/gateway';
import type { Clock } from '../domain/clock';
import type { PiiKeys } from '../domain/pii';
import { authenticate, requireRole } from './auth';
import { healthHandler } from './health';
import { requestLogger } from './logging';
import { createHttpMetrics } from './metrics';
import { buildOpenApiDocument } from './openapi';
import { registrationsRouter } from './registrations';
import { registrationsOpenApi } from './registrations-openapi';
import { productCatalogApi } from './tmf620-product-catalog';
import { customerApi } from './tmf629-customer';
import { partyApi } from './tmf632-party';
import { accountApi } from './tmf666-account';
import { documentApi, documentContentOpenApi } from './tmf667-document';
import { partyInteractionApi } from './tmf683-party-interaction';
import { communicationApi } from './tmf681-communication';
import { customerBillApi, customerBillPdfOpenApi } from './tmf678-customer-bill';
import { describeOrderResponses, productOrderApi, type ProductOrderHooks } from './tmf622-product-order';
import { serviceOrderApi } from './tmf641-service-order';
import { productInventoryApi } from './tmf637-product-inventory';
import { serviceInventoryApi } from './tmf638-service-inventory';
import { describeActivationResponses, serviceActivationApi } from './tmf640-service-activation';
import { troubleTicketApi } from './tmf621-trouble-ticket';
import { reportsRouter } from './reports';
import { reportsPageRouter } from './reports-page';
import { appointmentApi, type AppointmentMovedEvent } from './tmf646-appointment';
import { workOrderApi, type WorkOrderCompletedEvent } from './tmf697-work-order';
import { resourceInventoryApi } from './tmf639-resource-inventory';
import { inventoryAdminOpenApi, inventoryAdminRouter } from './inventory-admin';
import { resourcePoolOpenApi, resourcePoolRouter } from './tmf685-resource-pool';
import { devOutboxRouter } from './dev-outbox';
import { orderFulfilmentHooks, ordersOpenApi, ordersRouter } from './order-fulfilment';
import { provisioningLogOpenApi, provisioningLogRouter } from './provisioning-log';
import { usageOpenApi, usageRouter } from './tmf635-usage';
import { describePrepayBalance, prepayBalanceApi } from './tmf654-prepay-balance';
import { voucherAdminOpenApi, voucherAdminRouter } from './voucher-admin';
import { lowBalanceThresholdOpenApi, lowBalanceThresholdRouter } from './low-balance-threshold';
import { errorHandler, unknownRoute } from './tmf/errors';
import { describePaymentCreate, paymentApi } from './tmf676-payment';
import { billingCollectionOpenApi, billingCollectionRouter } from './billing-collection';

export interface AppDeps {
  knex: Knex;
  temporal: Connection;
  /**
   * For /health only: a connection without the retry interceptor, so that a probe that gave up
   * leaves no call retrying in the background (which would throw once the connection closes).
   */
  temporalProbe: Connection;
  temporalNamespace: string;
  /** Task queue of the worker that runs the workflows this API starts. */
  taskQueue: string;
  clock: Clock;
  logger: Logger;
  jwtSecret: string;
  publicUrl: string;
  /** Keys of personal data at rest (derived from PII_KEY). */
  piiKeys: PiiKeys;
  paymentGateway: PaymentGateway;
  /** Serve GET /api/dev/outbox (the local notification sinks): the embedded default only. */
  devOutbox?: boolean;
  /** Told of new product orders and cancellation requests after commit (starts their workflows). */
  orderHooks?: ProductOrderHooks;
  /** Called once a technician has completed an order's work order (the order side signals its workflow). */
  onWorkOrderCompleted?(event: WorkOrderCompletedEvent): Promise<void>;
  /** Called after an appointment was moved through the API. */
  onAppointmentMoved?(event: AppointmentMovedEvent): Promise<void>;
  /** Start and drive order workflows from the APIs (the hooks below, when given, win). */
  fulfilOrders?: boolean;
  /** Time zone that reports count months in (default Europe/Madrid). */
  reportTimeZone?: string;
  /** Start and signal the workflows of customer queries (TMF621). */
  answerTickets?: boolean;
  /** Told after FTTH capacity was added to a service area (the order side wakes waiting orders). */
  onCapacityAdded?(areaId: string): Promise<void>;
  /** Default low-balance threshold of prepaid accounts (decimal string; default 5.00). */
  lowBalanceThreshold?: string;
}

const BODY_LIMIT = '1mb';

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  const metrics = createHttpMetrics();
  app.use(requestLogger(deps.logger));
  app.use(metrics.middleware);

  app.get('/health', healthHandler(deps.knex, deps.temporalProbe));

  // Everything below needs a valid token; bodies are only read once the caller is known.
  app.use('/reports', reportsPageRouter()); // the page only: its data comes from /api/reports
  app.use(authenticate(deps.jwtSecret));
  app.use(express.json({ limit: BODY_LIMIT, type: ['application/json', 'application/merge-patch+json', 'application/*+json'] }));

  const temporalClient = new Client({ connection: deps.temporal, namespace: deps.temporalNamespace });
  const fulfilment = deps.fulfilOrders ? orderFulfilmentHooks({ temporal: temporalClient, taskQueue: deps.taskQueue, knex: deps.knex, logger: deps.logger }) : undefined;
  const orderHooks = deps.orderHooks ?? fulfilment?.orderHooks;
  const onWorkOrderCompleted = deps.onWorkOrderCompleted ?? fulfilment?.onWorkOrderCompleted;
  const onCapacityAdded = deps.onCapacityAdded ?? fulfilment?.onCapacityAdded;
  const tmfDeps = { knex: deps.knex, clock: deps.clock, publicUrl: deps.publicUrl };
  const crmDeps = { ...tmfDeps, piiKeys: deps.piiKeys };
  const apis = [
    productCatalogApi(tmfDeps),
    customerApi(tmfDeps),
    partyApi(crmDeps),
    accountApi(tmfDeps),
    partyInteractionApi(tmfDeps),
    communicationApi(tmfDeps),
    documentApi(crmDeps), // also PUT/GET /tmf-api/document/v4/document/{id}/content (raw upload, 5 MB)
    productOrderApi({ ...tmfDeps, ...orderHooks }),
    serviceOrderApi(tmfDeps),
    productInventoryApi(tmfDeps),
    serviceInventoryApi(tmfDeps),
    appointmentApi({ ...tmfDeps, onAppointmentMoved: deps.onAppointmentMoved }),
    workOrderApi({ ...tmfDeps, onWorkOrderCompleted }),
    resourceInventoryApi(tmfDeps),
    serviceActivationApi({ ...tmfDeps, temporal: temporalClient, taskQueue: deps.taskQueue, logger: deps.logger }),
    paymentApi({ ...tmfDeps, temporal: temporalClient, paymentGateway: deps.paymentGateway, logger: deps.logger }),
    customerBillApi({ ...tmfDeps, temporal: temporalClient }), // also GET /tmf-api/customerBillManagement/v4/customerBill/{id}/pdf
    troubleTicketApi({ ...tmfDeps, temporal: deps.answerTickets ? temporalClient : undefined, taskQueue: deps.taskQueue, logger: deps.logger }),
    prepayBalanceApi({ ...tmfDeps, temporal: temporalClient, taskQueue: deps.taskQueue, logger: deps.logger, lowBalanceThreshold: deps.lowBalanceThreshold ?? '5.00' }),
  ];
  const openApi = buildOpenApiDocument(apis, deps.publicUrl, [
    registrationsOpenApi(deps.clock.now().toISOString().slice(0, 10)),
    documentContentOpenApi(),
    provisioningLogOpenApi(),
    ordersOpenApi(deps.clock.now().toISOString().slice(0, 10)),
    inventoryAdminOpenApi(),
    resourcePoolOpenApi(),
    usageOpenApi(),
    billingCollectionOpenApi(),
    voucherAdminOpenApi(),
    lowBalanceThresholdOpenApi(),
    customerBillPdfOpenApi(),
  ]);
  describeOrderResponses(openApi);
  describeActivationResponses(openApi);
  describePaymentCreate(openApi);
  describePrepayBalance(openApi);

  app.get('/metrics', requireRole('admin'), metrics.handler);
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use(
    '/api/registrations',
    registrationsRouter({
      knex: deps.knex,
      temporal: temporalClient,
      taskQueue: deps.taskQueue,
      clock: deps.clock,
      piiKeys: deps.piiKeys,
      gateway: deps.paymentGateway,
      publicUrl: deps.publicUrl,
    }),
  );
  app.use('/api/reports', reportsRouter({ knex: deps.knex, clock: deps.clock, timeZone: deps.reportTimeZone ?? 'Europe/Madrid' }));
  app.use('/api/inventory', inventoryAdminRouter({ knex: deps.knex, onCapacityAdded }));
  app.use('/api/orders', ordersRouter({ knex: deps.knex, temporal: temporalClient, gateway: deps.paymentGateway, clock: deps.clock }));
  const resourcePools = resourcePoolRouter({ knex: deps.knex, publicUrl: deps.publicUrl }); // TMF685, read only
  app.use(resourcePools.basePath, (req, res, next) => {
    res.locals.routeBase = req.baseUrl;
    next();
  }, resourcePools.router);
  const usage = usageRouter(tmfDeps); // TMF635
  app.use(usage.basePath, (req, res, next) => {
    res.locals.routeBase = req.baseUrl;
    next();
  }, usage.router);
  for (const api of apis) {
    // Remembered for the metrics label: Express resets req.baseUrl when an error leaves the router.
    app.use(api.basePath, (req, res, next) => {
      res.locals.routeBase = req.baseUrl;
      next();
    }, api.router);
  }

  app.use(provisioningLogRouter(deps.knex));
  app.use(billingCollectionRouter({ knex: deps.knex, temporal: temporalClient, clock: deps.clock }));
  app.use(voucherAdminRouter({ knex: deps.knex, clock: deps.clock }));
  app.use(lowBalanceThresholdRouter({ knex: deps.knex, clock: deps.clock, defaultThreshold: deps.lowBalanceThreshold ?? '5.00' }));
  if (deps.devOutbox) app.use(devOutboxRouter(deps.knex));

  app.use(unknownRoute);
  app.use(errorHandler);
  return app;
}
