// The live dashboard in a real headless Chromium: a third-party charge point starts a session,
// the connector turns to Charging and the power chart moves, with no reload.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { Charger } from '../helpers/charger.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

describe('live dashboard (headless Chromium)', () => {
  let gw: TestGateway;
  let charger: Charger;
  let browser: Browser;
  before(async () => {
    gw = await startTestGateway();
    charger = await Charger.connect(gw.url, 'DASH-CP', 'ocpp1.6');
    await charger.status(1, 'Available');
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run'],
    });
  });
  after(async () => {
    await browser?.close();
    await charger?.close();
    await gw?.cleanup();
  });

  it('shows stations and sessions live: the connector turns to Charging and the chart moves', async () => {
    const token = readFileSync(join(gw.config.dataDir, 'admin.token'), 'utf8').trim();
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(`http://127.0.0.1:${gw.adminPort}/#token=${token}`);
    await page.waitForSelector('tr[data-station="DASH-CP"] .status-Available', { timeout: 10_000 });
    assert.equal(await page.textContent('#link'), 'live');

    const consumer = `0x${'ab'.repeat(32)}`;
    await gw.bridge.authorize({ station: 'DASH-CP', consumerKey: consumer });
    await gw.bridge.start({ station: 'DASH-CP', connectorId: 1, consumerKey: consumer });
    await page.waitForSelector('tr[data-station="DASH-CP"] .status-Charging', { timeout: 10_000 });
    // 11 kW: 183 Wh per minute of the charger's meter clock.
    for (let i = 0; i < 4; i++) {
      await charger.meterValues(1, 183);
      await page.waitForTimeout(1_100);
    }
    // Runs in the page (playwright serialises the function), so the DOM is there.
    await page.waitForFunction('Number(document.querySelector(\'#chart polyline[data-station="DASH-CP"]\')?.getAttribute("data-max") ?? 0) > 10', undefined, { timeout: 10_000 });
    const max = Number(await page.getAttribute('#chart polyline[data-station="DASH-CP"]', 'data-max'));
    assert.ok(Math.abs(max - 10.98) < 0.1, `the chart shows ~11 kW, got ${max}`);
    assert.match(await page.textContent('#sessions tbody') ?? '', /0\.732 kWh/);
    assert.match(await page.textContent('#events') ?? '', /connector 1: (Preparing|Available) → (Charging|Preparing)/);

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000, 'a screenshot was kept');
  });
});
