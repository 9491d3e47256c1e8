// The dashboard as the operator's console, clicked through in a real headless Chromium against
// `simulate-station` processes of both versions: a configuration change, a log upload and its
// download, a firmware upload and update, a reset (and one cancelled at its confirmation), a
// data transfer, a card, a reservation, and the transaction history.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { adminApi } from '../helpers/admin.ts';
import { Charger } from '../helpers/charger.ts';
import { CLI } from '../helpers/cli.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { eventually } from '../helpers/wait.ts';

const VIEWER = 'viewer-token-0123456789';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

class SimulatedStation {
  log = '';
  private readonly child: ChildProcess;

  constructor(url: string, identity: string, version: '1.6' | '2.0.1') {
    this.child = spawn(process.execPath, [CLI, 'simulate-station', identity, '--ocpp', version, '--url', url], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (c: Buffer) => { this.log += c.toString(); });
    this.child.stderr!.on('data', (c: Buffer) => { this.log += c.toString(); });
  }

  /** Waits for `text` to appear in its output `times` times in all. */
  async said(text: string, times = 1): Promise<void> {
    await eventually(() => this.log.split(text).length > times, 20_000, `the simulated station never said "${text}":\n${this.log}`);
  }

  stop(): void {
    this.child.kill('SIGINT');
  }
}

describe('the operator console (headless Chromium, simulated stations)', () => {
  let gw: TestGateway;
  let browser: Browser;
  let page: Page;
  let sim16: SimulatedStation;
  let sim201: SimulatedStation;
  const api = adminApi(() => `http://127.0.0.1:${gw.adminPort}`, () => gw.config.dataDir);

  before(async () => {
    gw = await startTestGateway({ admin: { tokens: [{ name: 'wall-screen', token: VIEWER, role: 'read-only' }] } });
    sim16 = new SimulatedStation(gw.url, 'CON-16', '1.6');
    sim201 = new SimulatedStation(gw.url, 'CON-201', '2.0.1');
    await sim16.said('Accepted');
    await sim201.said('Accepted');
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const token = readFileSync(join(gw.config.dataDir, 'admin.token'), 'utf8').trim();
    // Not UTC: times the operator types are the browser's local time.
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true, timezoneId: 'Europe/Berlin' });
    await page.goto(`http://127.0.0.1:${gw.adminPort}/#token=${token}`);
    assert.doesNotMatch(page.url(), /token/, 'the token leaves the address bar once read');
  });
  after(async () => {
    await browser?.close();
    sim16?.stop();
    sim201?.stop();
    await gw?.cleanup();
  });

  /** Clicks a button, checks the question asked, and answers it. */
  async function confirmClick(scope: string, label: string, question: RegExp, answer: 'Confirm' | 'Cancel' = 'Confirm'): Promise<void> {
    await page.locator(scope).getByRole('button', { name: label, exact: true }).first().click();
    await page.waitForSelector('dialog#confirm[open]');
    assert.match(await page.textContent('#confirm-text') ?? '', question);
    await page.locator('dialog#confirm').getByRole('button', { name: answer }).click();
  }

  /** Waits until the element's text matches (the page code runs in the browser, so it is given as text). */
  async function shows(selector: string, pattern: RegExp): Promise<string> {
    await page.waitForFunction(`new RegExp(${JSON.stringify(pattern.source)}).test(document.querySelector(${JSON.stringify(selector)})?.textContent ?? '')`, undefined, { timeout: 20_000 });
    return await page.textContent(selector) ?? '';
  }

  const result = (pattern: RegExp): Promise<string> => shows('#result', pattern);

  async function openStation(identity: string): Promise<void> {
    await page.goto(`http://127.0.0.1:${gw.adminPort}/#/`);
    await page.click(`tr[data-station="${identity}"] a`);
    await page.waitForSelector(`.station-page[data-station="${identity}"] #station-summary h2`);
    assert.equal(await page.isVisible('#overview'), false, 'the station page replaces the overview');
    await page.waitForSelector('#station-configuration tr[data-variable]', { timeout: 20_000 });
  }

  it('changes a setting of a 1.6 station from its configuration, after a confirmation', async () => {
    await openStation('CON-16');
    assert.match(await page.textContent('#station-summary') ?? '', /online/);
    await page.click('#station-configuration tr[data-variable="HeartbeatInterval"]');
    assert.equal(await page.inputValue('#station-configuration input[name="variable"]'), 'HeartbeatInterval', 'a click fills the form');
    await page.fill('#station-configuration input[name="value"]', '120');
    await confirmClick('#station-configuration', 'Change', /Set HeartbeatInterval to "120" on CON-16\?/);
    assert.match(await result(/Change: /), /Change: HeartbeatInterval Accepted/);
    await sim16.said('HeartbeatInterval set to 120');
    await shows('#station-configuration tr[data-variable="HeartbeatInterval"]', /120/);
  });

  it('asks a station for its log, shows it arrive and downloads it', async () => {
    await confirmClick('#station-logs', 'Get log', /Ask CON-16 to upload its Diagnostics\?/);
    assert.match(await result(/Get log: /), /Get log: Diagnostics Accepted/);
    const uploaded = '#station-logs tr[data-request]:has-text("Uploaded")';
    await page.waitForSelector(uploaded, { timeout: 20_000 });
    const [file] = await Promise.all([page.waitForEvent('download'), page.click(`${uploaded} button:has-text("Download")`)]);
    assert.equal(file.suggestedFilename(), 'CON-16-diagnostics.log');
    const text = readFileSync((await file.path())!, 'utf8');
    assert.match(text, /CON-16/, 'the file the station uploaded');
  });

  it('uploads a firmware image from the page and installs it on the station', async () => {
    const image = randomBytes(40_000);
    await page.setInputFiles('#station-firmware input[name="firmware-file"]', { name: 'con-fw-2.0.bin', mimeType: 'application/octet-stream', buffer: image });
    await confirmClick('#station-firmware', 'Upload image', /Upload con-fw-2\.0\.bin/);
    assert.match(await result(/Upload image: /), /con-fw-2\.0\.bin kept \(40000 bytes\)/);
    await shows('#station-firmware select[name="image"]', /con-fw-2\.0\.bin/);
    await confirmClick('#station-firmware', 'Update firmware', /Install con-fw-2\.0\.bin .* on CON-16\?/);
    assert.match(await result(/Update firmware: /), /con-fw-2\.0\.bin Accepted/);
    await sim16.said(`firmware downloaded: 40000 bytes, sha256 ${createHash('sha256').update(image).digest('hex')}`);
    assert.match(await shows('#station-firmware .firmware-status', /con-fw-2\.0\.bin: Installed/), /Downloading → Downloaded → Installing → Installed/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'console-station.png'), fullPage: true });
  });

  it('resets a station only when confirmed', async () => {
    await openStation('CON-16');
    await confirmClick('#station-commands', 'Hard reset', /Hard reset CON-16\?/, 'Cancel');
    await confirmClick('#station-commands', 'Soft reset', /Soft reset CON-16\? It ends its transactions and reboots\./);
    assert.match(await result(/Soft reset: /), /Soft reset: Accepted/);
    await sim16.said('rebooting (soft reset)');
    const resets = (await api('GET', '/api/stations/CON-16/reports?limit=100')).body.items.filter((r: any) => r.action === 'OperatorCall' && r.payload.action === 'Reset');
    assert.deepEqual(resets.map((r: any) => r.payload.request), [{ hard: false }], 'the cancelled reset was never sent');
  });

  it('changes a 2.0.1 device model variable by component and resets that station', async () => {
    await openStation('CON-201');
    await page.click('#station-configuration tr[data-variable="OCPPCommCtrlr/HeartbeatInterval"]');
    assert.equal(await page.inputValue('#station-configuration input[name="component"]'), 'OCPPCommCtrlr');
    await page.fill('#station-configuration input[name="value"]', '90');
    await confirmClick('#station-configuration', 'Change', /Set OCPPCommCtrlr\/HeartbeatInterval to "90" on CON-201\?/);
    assert.match(await result(/Change: /), /OCPPCommCtrlr\/HeartbeatInterval Accepted/);
    await page.fill('#station-commands input[name="vendorId"]', 'com.example.parking');
    await page.fill('#station-commands input[name="messageId"]', 'BayOccupied');
    await confirmClick('#station-commands', 'Data transfer', /Send CON-201 a DataTransfer for com\.example\.parking \(BayOccupied\)\?/);
    assert.match(await result(/Data transfer: /), /Data transfer: UnknownVendorId/);
    await confirmClick('#station-commands', 'Soft reset', /Soft reset CON-201\?/);
    assert.match(await result(/Soft reset: /), /Soft reset: Accepted/);
    await sim201.said('rebooting');
  });

  it('shows a read-only token every page and says why its changes are refused', async () => {
    const viewer = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    try {
      await viewer.goto(`http://127.0.0.1:${gw.adminPort}/#token=${VIEWER}`);
      await viewer.goto(`http://127.0.0.1:${gw.adminPort}/#/station/CON-16`);
      await viewer.waitForSelector('#station-configuration tr[data-variable]', { timeout: 20_000 });
      await viewer.locator('#station-commands').getByRole('button', { name: 'Clear cache' }).click();
      await viewer.locator('dialog#confirm').getByRole('button', { name: 'Confirm' }).click();
      await viewer.waitForSelector('#result.failed');
      assert.match(await viewer.textContent('#result') ?? '', /Clear cache failed: .*read-only/);
      const reports = (await api('GET', '/api/stations/CON-16/reports?limit=100')).body.items;
      assert.ok(!reports.some((r: any) => r.action === 'OperatorCall' && r.payload.action === 'ClearCache'), 'nothing was sent to the station');
      const [audit] = (await api('GET', '/api/audit?limit=1')).body.items;
      assert.deepEqual([audit.who, audit.path, audit.status], ['wall-screen', '/api/stations/CON-16/commands/clear-cache', 403]);
    } finally {
      await viewer.close();
    }
  });

  it('stops refreshing a station page once left, even before its first answer (seen: a poller left running for good)', async () => {
    const requests: { at: number; url: string }[] = [];
    const onRequest = (r: { url(): string }): void => { requests.push({ at: Date.now(), url: r.url() }); };
    page.on('request', onRequest);
    try {
      await page.goto(`http://127.0.0.1:${gw.adminPort}/#/station/CON-16`);
      await page.click('nav a[href="#/tags"]');
      const left = Date.now();
      await page.waitForTimeout(3_800);
      const late = requests.filter((r) => r.at > left + 500 && /\/api\/stations\/CON-16/.test(r.url));
      assert.deepEqual(late.map((r) => r.url), []);
    } finally {
      page.off('request', onRequest);
    }
  });

  it('manages cards, reservations and the transaction history on their pages', async () => {
    await page.click('nav a[href="#/tags"]');
    await page.fill('#tags-page input[name="idTag"]', 'CARD-0042');
    await page.selectOption('#tags-page select[name="status"]', 'Accepted');
    await page.fill('#tags-page input[name="note"]', 'night shift');
    await page.fill('#tags-page input[name="expiryDate"]', '2027-01-01T12:00');
    await confirmClick('#tags-page', 'Save card', /Save card CARD-0042 \(Accepted\)\?/);
    await page.waitForSelector('#tags-page tr[data-tag="CARD-0042"]');
    assert.match(await page.textContent('#tags-page tr[data-tag="CARD-0042"]') ?? '', /night shift/);
    assert.equal((await api('GET', '/api/tags/CARD-0042')).body.expiryDate, '2027-01-01T11:00:00.000Z', 'noon in Berlin');
    // Opened again from its row and saved with another note: the expiry stays (seen: an hour earlier each time).
    await page.click('#tags-page tr[data-tag="CARD-0042"] td');
    await page.fill('#tags-page input[name="note"]', 'day shift');
    await confirmClick('#tags-page', 'Save card', /Save card CARD-0042/);
    await shows('#tags-page tr[data-tag="CARD-0042"]', /day shift/);
    assert.equal((await api('GET', '/api/tags/CARD-0042')).body.expiryDate, '2027-01-01T11:00:00.000Z');

    await openStation('CON-201');
    await page.fill('#station-reservations input[name="idTag"]', 'CARD-0042');
    await page.fill('#station-reservations input[name="minutes"]', '20');
    await confirmClick('#station-reservations', 'Reserve', /Reserve connector 1 of CON-201 for CARD-0042, 20 minutes\?/);
    assert.match(await result(/Reserve: /), /Reserve: Accepted until/);
    await page.click('nav a[href="#/reservations"]');
    await page.waitForSelector('#reservations-page tr[data-reservation]');
    assert.match(await page.textContent('#reservations-page') ?? '', /CON-201.*CARD-0042/s);
    await confirmClick('#reservations-page', 'Cancel', /Cancel the reservation of connector 1 on CON-201 for CARD-0042\?/);
    await page.waitForSelector('#reservations-page :text("no reservations")');

    await page.click('nav a[href="#/tags"]');
    await confirmClick('#tags-page tr[data-tag="CARD-0042"]', 'Delete', /Delete card CARD-0042\?/);
    await page.waitForSelector('#tags-page tr[data-tag="CARD-0042"]', { state: 'detached' });

    // A transaction from a third-party charge point, found by its station and opened with its readings.
    const cp = await Charger.connect(gw.url, 'CON-HIST', 'ocpp1.6');
    try {
      await cp.status(1, 'Available');
      await cp.startTransaction(1, 'CARD-HIST');
      await cp.meterValues(1, 1_250);
      await cp.stopTransaction(1, 'Local');
    } finally {
      await cp.close();
    }
    await page.click('nav a[href="#/transactions"]');
    await page.fill('#transactions-page input[name="station"]', 'CON-HIST');
    await page.click('#transactions-page button[type="submit"]');
    await page.waitForSelector('#transactions-page tbody tr');
    assert.match(await page.textContent('#transactions-page tbody') ?? '', /CON-HIST.*CARD-HIST.*finished.*1\.250 kWh/s);
    await page.click('#transactions-page tbody tr a[href^="#/transactions/CON-HIST/"]');
    await page.waitForSelector('#transaction-page table tbody tr');
    assert.match(await page.textContent('#transaction-page') ?? '', /Energy\.Active\.Import\.Register 11250Wh/);
  });
});
