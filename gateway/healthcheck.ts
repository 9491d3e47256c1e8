// The container's HEALTHCHECK: /healthz on the admin port of this configuration (file and
// CGW_* variables, as `start` reads them). Exit 0 when the node answers, 1 otherwise.
import { loadConfig } from './config/load.ts';

const file = process.env.CGW_CONFIG;
const config = loadConfig({ ...(file ? { file } : {}) });
const host = config.admin.host === '0.0.0.0' ? '127.0.0.1' : config.admin.host;
const ok = await fetch(`http://${host}:${config.admin.port}/healthz`, { signal: AbortSignal.timeout(4_000) }).then((r) => r.ok, () => false);
process.exit(ok ? 0 : 1);
