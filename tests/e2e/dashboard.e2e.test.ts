/**
 * The queue dashboard as an operator sees it: Debian's headless Chromium (apt-get install chromium,
 * never a downloaded browser) opens it behind the API key, the queued jobs are listed, and a
 * screenshot is saved to .scratch/e2e/dashboard.png (DASHBOARD_SCREENSHOT overrides the path).
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startInProcessGateway, type InProcessGateway } from './support/in-process-gateway';
import { useTestRedis } from '../support/redis';

const redis = useTestRedis();
const CHROMIUM = '/usr/bin/chromium';
const KEY = 'dashboard-key';
const SCREENSHOT = resolve(process.env.DASHBOARD_SCREENSHOT ?? resolve(__dirname, '..', '..', '.scratch', 'e2e', 'dashboard.png'));

describe('queue dashboard in headless Chromium', () => {
  let gateway: InProcessGateway;
  let browser: Browser;
  const jobIds: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`);
    gateway = await startInProcessGateway(redis.url, { apiKeys: [KEY] });
    // No workers run here, so the jobs stay waiting on the prefill queue.
    for (const prompt of ['What is LazyLLM?', 'Name a colour.', 'Count to three.']) {
      const response = await fetch(`${gateway.url}/jobs`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ prompt }) });
      jobIds.push(((await response.json()) as { id: string }).id);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it('refuses a browser without the key', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${gateway.url}/admin/queues`);
    expect(response?.status()).toBe(401);
    expect(await page.textContent('body')).toContain('?api_key=<key>');
    await page.close();
  });

  it('lists both pools and the waiting jobs once logged in with ?api_key=, and saves a screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${gateway.url}/admin/queues?api_key=${KEY}`);
    expect(new URL(page.url()).search).toBe('');
    await page.getByText('prefill pool').first().waitFor({ timeout: 20_000 });
    expect(await page.getByText('decode pool').count()).toBeGreaterThan(0);

    await page.goto(`${gateway.url}/admin/queues/queue/prefill?status=waiting`);
    for (const id of jobIds) await page.getByText(id).first().waitFor({ timeout: 20_000 });
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    await page.close();
  }, 60_000);
});
