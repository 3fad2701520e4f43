import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from './index';

/**
 * Opens the rendered fixture report in Debian's headless chromium (no browser download), checks that
 * the plots and thumbnails rendered, that the answer filter works and that nothing logged an error,
 * and saves a full-page screenshot (path printed; MMVP_SCREENSHOT_DIR overrides the folder).
 */
const chromiumPath = '/usr/bin/chromium';
const fixture = fileURLToPath(new URL('./__fixtures__/results/', import.meta.url));

describe.skipIf(!existsSync(chromiumPath))('report in a real browser (chromium headless)', () => {
  let browser: Browser;
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-report-browser-'));
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      // playwright's launch() gives the browser a fresh temporary user-data-dir of its own.
    });
  });
  afterAll(async () => {
    await browser?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('shows the plots, thumbnails and a working filter without console errors', async () => {
    const reportPath = await writeReport(fixture, join(scratch, 'report.html'));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    const requests: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('file:') && !request.url().startsWith('data:')) requests.push(request.url());
    });
    await page.goto(pathToFileURL(reportPath).href, { waitUntil: 'load' });

    // Plots: five inline SVGs, each laid out with a real size and holding drawn marks.
    const charts = await page.$$eval('figure.chart > svg', (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        return { width: box.width, height: box.height, marks: svg.querySelectorAll('path, line, rect, text').length };
      }),
    );
    expect(charts).toHaveLength(5);
    for (const chart of charts) {
      expect(chart.width).toBeGreaterThan(150);
      expect(chart.height).toBeGreaterThan(100);
      expect(chart.marks).toBeGreaterThan(10);
    }
    // Bars drawn with a non-zero height in the browser's own layout.
    const barHeights = await page.$$eval('#vlm [aria-roledescription="bar"]', (bars) => bars.map((bar) => (bar as unknown as { getBBox(): { height: number } }).getBBox().height));
    expect(barHeights).toHaveLength(18);
    expect(Math.min(...barHeights)).toBeGreaterThan(0);

    // Thumbnails decoded by the browser (4 present, 1 missing one replaced by its reason).
    const images = await page.$$eval('#blind-pairs img', (elements) => elements.map((image) => (image as unknown as { naturalWidth: number }).naturalWidth));
    expect(images).toEqual([48, 48, 48, 48, 48]);
    await expect(page.locator('#blind-pairs .missing').textContent()).resolves.toContain('missing: images/missing.png');

    // The filter: 8 answers; i-mof has 4; i-mof and wrong has 2; a text search narrows further.
    await expect(page.locator('#filter-count').textContent()).resolves.toBe('8 of 8 answers shown');
    await page.selectOption('#filter-model', 'i-mof');
    await expect(page.locator('#filter-count').textContent()).resolves.toBe('4 of 8 answers shown');
    await page.selectOption('#filter-outcome', 'no');
    await expect(page.locator('#filter-count').textContent()).resolves.toBe('2 of 8 answers shown');
    expect(await page.locator('#answers-table tbody tr:visible').count()).toBe(2);
    await page.selectOption('#filter-model', '');
    await page.selectOption('#filter-outcome', '');
    await page.fill('#filter-text', 'alert(1)');
    await expect(page.locator('#filter-count').textContent()).resolves.toBe('2 of 8 answers shown');
    await page.fill('#filter-text', '');

    const screenshotDirectory = process.env.MMVP_SCREENSHOT_DIR ?? scratch;
    const screenshot = join(screenshotDirectory, 'report-fixture.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect((await stat(screenshot)).size).toBeGreaterThan(10_000);
    if (process.env.MMVP_SCREENSHOT_DIR) process.stdout.write(`screenshot: ${screenshot}\n`);

    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  });
});
