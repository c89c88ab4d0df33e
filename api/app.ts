/** The Express application: operations endpoints, security, and the TMF APIs. */
import express, { type Express } from 'express';
import type { Knex } from 'knex';
import type { Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import { authenticate, requireRole } from './auth';
import { healthHandler } from './health';
import { requestLogger } from './logging';
import { createHttpMetrics } from './metrics';
import { buildOpenApiDocument } from './openapi';
import { productCatalogApi } from './tmf620-product-catalog';
import { errorHandler, unknownRoute } from './tmf/errors';

export interface AppDeps {
  knex: Knex;
  temporal: Connection;
  /**
   * For /health only: a connection without the retry interceptor, so that a probe that gave up
   * leaves no call retrying in the background (which would throw once the connection closes).
   */
  temporalProbe: Connection;
  clock: Clock;
  logger: Logger;
  jwtSecret: string;
  publicUrl: string;
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
  app.use(authenticate(deps.jwtSecret));
  app.use(express.json({ limit: BODY_LIMIT, type: ['application/json', 'application/merge-patch+json', 'application/*+json'] }));

  const tmfDeps = { knex: deps.knex, clock: deps.clock, publicUrl: deps.publicUrl };
  const apis = [productCatalogApi(tmfDeps)];
  const openApi = buildOpenApiDocument(apis, deps.publicUrl);

  app.get('/metrics', requireRole('admin'), metrics.handler);
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  for (const api of apis) {
    // Remembered for the metrics label: Express resets req.baseUrl when an error leaves the router.
    app.use(api.basePath, (req, res, next) => {
      res.locals.routeBase = req.baseUrl;
      next();
    }, api.router);
  }

  app.use(unknownRoute);
  app.use(errorHandler);
  return app;
}
