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

  it('says when the token is missing or wrong (seen: "reconnecting…" for ever)', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${gw.adminPort}/#token=not-the-token`);
    await page.waitForFunction('document.querySelector("#link").textContent === "the admin token is wrong"', undefined, { timeout: 10_000 });
    assert.equal(await page.isVisible('#notice'), true);
    const bare = await browser.newPage();
    await bare.goto(`http://127.0.0.1:${gw.adminPort}/`);
    await bare.waitForFunction('document.querySelector("#link").textContent === "no admin token"', undefined, { timeout: 10_000 });
    await page.close();
    await bare.close();
  });

  it('opens with what happened before, shows an offline station as offline with its last message, and labels the chart\'s axes', async () => {
    const gone = await Charger.connect(gw.url, 'DASH-GONE', 'ocpp1.6');
    await gone.status(1, 'Available');
    await gone.startTransaction(1, 'EARLIER');
    await gone.meterValues(1, 2_500);
    await gone.stopTransaction(1, 'Local');
    await gone.close();
    const token = readFileSync(join(gw.config.dataDir, 'admin.token'), 'utf8').trim();
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(`http://127.0.0.1:${gw.adminPort}/#token=${token}`);
    await page.waitForSelector('tr[data-station="DASH-GONE"]', { timeout: 10_000 });
    const row = await page.textContent('tr[data-station="DASH-GONE"]') ?? '';
    assert.match(row, /offline/);
    assert.match(row, /last seen/);
    assert.doesNotMatch(row, /Available/, 'its stale connector status is not shown as live');
    await page.waitForFunction('document.querySelector("#events").textContent.includes("DASH-GONE connector 1: transaction")', undefined, { timeout: 10_000 });
    assert.match(await page.textContent('#events') ?? '', /DASH-GONE connector 1: transaction \d+ ended, 2\.500 kWh/);
    const axes = await page.$$eval('#chart text.axis', (els) => els.map((e) => e.textContent));
    assert.ok(axes.some((a) => /kW$/.test(a ?? '')) && axes.includes('now') && axes.includes('-5 min'), JSON.stringify(axes));
    await page.close();
  });

  it('shows stations and sessions live: the connector turns to Charging and the chart moves', async () => {
    const token = readFileSync(join(gw.config.dataDir, 'admin.token'), 'utf8').trim();
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(`http://127.0.0.1:${gw.adminPort}/#token=${token}`);
    await page.waitForSelector('tr[data-station="DASH-CP"] .status-Available', { timeout: 10_000 });
    assert.equal(await page.textContent('#link'), 'live');

    const consumer = `0x${'ab'.repeat(32)}`;
    await gw.bridge.authorize({ station: 'DASH-CP', consumerKey: consumer });
    // Seen in CI: a snapshot of the session before its transaction (no meter reading yet) made
    // the power NaN, and the chart stayed flat for the whole session.
    await page.waitForFunction('document.querySelector("#sessions tbody").textContent.includes("authorized")', undefined, { timeout: 10_000 });
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
