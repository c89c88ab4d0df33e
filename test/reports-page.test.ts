/**
 * The reports page in Debian's Chromium (playwright-core, never a downloaded browser): it signs
 * in with an agent token passed in the URL fragment, draws every report of the fixed history as a
 * chart with data (points counted and pixels painted), and is saved as a screenshot.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createKnex } from '../db/knex';
import { refreshReportViews } from '../db/reports';
import { createTestApi, tokenFor, type TestApi } from './helpers/api';
import { createScratchDatabase } from './helpers/database';
import { seedReportFixture } from './helpers/report-fixture';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = path.join(__dirname, '..', 'test-output', 'reports.png');

describe('reports page', () => {
  let api: TestApi;
  let server: Server;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    const url = await createScratchDatabase('bss_reports_page');
    const knex = createKnex(url);
    await seedReportFixture(knex);
    await refreshReportViews(knex);
    await knex.destroy();
    api = await createTestApi(undefined, { databaseUrl: url });
    server = api.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await api?.close();
  });

  it('draws every report as a chart with data, and saves a screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/reports?from=2025-01&to=2025-03#token=${await tokenFor('agent')}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });

    const cards = await page.$$eval('article.report', (all) =>
      all.map((card) => {
        const canvas = card.querySelector('canvas');
        let painted = 0;
        if (canvas) {
          const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
        }
        return { id: card.id, rows: Number(card.getAttribute('data-rows')), points: Number(canvas?.dataset.points ?? 0), painted };
      }),
    );
    expect(errors).toEqual([]);
    expect(cards.map((c) => c.id)).toEqual(
      ['customers', 'customers-by-channel', 'customers-by-region', 'orders', 'order-lead-time', 'order-fallout', 'queries', 'interactions', 'revenue', 'collections', 'arpu', 'prepaid-topups', 'prepaid-balances', 'prepaid-usage'].map(
        (n) => `report-${n}`,
      ),
    );
    for (const card of cards) {
      expect(card.rows).toBeGreaterThan(0);
      expect(card.points).toBeGreaterThan(0);
      expect(card.painted).toBeGreaterThan(1000);
    }
    // The token left the address bar once read.
    expect(page.url()).toBe(`${base}/reports/?from=2025-01&to=2025-03`);
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  });

  it('asks for a token when it has none, and shows no data', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/reports`);
    await page.waitForSelector('#login:not([hidden])');
    expect(await page.$$('article.report')).toHaveLength(0);
  });
});
