import { readFileSync } from 'node:fs';

const file = (name: string): Buffer => readFileSync(new URL(`./${name}`, import.meta.url));

/** The dashboard's static files, read once at start. */
export function dashboardAssets(): Record<string, { type: string; body: Buffer }> {
  return {
    '/': { type: 'text/html; charset=utf-8', body: file('index.html') },
    '/dashboard.js': { type: 'text/javascript; charset=utf-8', body: file('dashboard.js') },
    '/dashboard.css': { type: 'text/css; charset=utf-8', body: file('dashboard.css') },
  };
}
