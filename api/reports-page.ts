/**
 * The reports page (`/reports`): static HTML and script from web/reports, and Chart.js from its
 * npm package. The page itself holds no data and needs no token; it calls /api/reports with the
 * staff token the user gives it (kept in the tab's session storage, or passed as `#token=` in the
 * URL fragment, which browsers never send to the server).
 */
import express, { type Router } from 'express';
import path from 'node:path';

const CHART_JS = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js');
const PAGE_DIR = path.join(__dirname, '..', 'web', 'reports');

export function reportsPageRouter(): Router {
  const router = express.Router();
  router.get('/assets/chart.umd.min.js', (_req, res) => res.sendFile(CHART_JS));
  router.use(express.static(PAGE_DIR, { index: 'index.html', fallthrough: false }));
  return router;
}
