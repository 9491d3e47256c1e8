import { readFileSync } from 'node:fs';

const file = (name: string): Buffer => readFileSync(new URL(`./${name}`, import.meta.url));

/** The dashboard's static files, read once at start. */
export function dashboardAssets(): Record<string, { type: string; body: Buffer }> {
  return {
    '/': { type: 'text/html; charset=utf-8', body: file('index.html') },
    // The console's modules: the router, what the pages share, and the pages.
    ...Object.fromEntries(['app.js', 'kit.js', 'overview.js', 'station-page.js', 'list-pages.js'].map((name) => [`/${name}`, { type: 'text/javascript; charset=utf-8', body: file(name) }])),
    '/dashboard.css': { type: 'text/css; charset=utf-8', body: file('dashboard.css') },
  };
}
