// The allowed import directions of shared/DESIGN.md ("Layout"), as an ESLint rule: an import
// that points up (or sideways) a layer fails `npm run check`. The README's layout section
// shows the same table.
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(fileURLToPath(import.meta.url));

/** Every folder of the product, with what it may import (besides itself and SHARED). */
export const LAYERS = {
  'src/domain': [],
  'src/crypto': [],
  // The use cases read consumer keys (SS58 or hex) where requests enter them.
  'src/app': ['src/domain', 'src/crypto'],
  'src/store': ['src/domain', 'src/crypto'],
  'src/pnc': ['src/domain', 'src/crypto'],
  'src/ocpp': ['src/app', 'src/domain', 'src/crypto'],
  'src/p2p': ['src/app', 'src/domain', 'src/crypto'],
  // The wallet SDK and its own p2p client (envelopes, the libp2p node, the protocol's names).
  'src/consumer': ['src/crypto', 'src/p2p/envelope.ts', 'src/p2p/node.ts', 'src/p2p/protocol.ts'],
  'chain': ['src/domain', 'src/crypto', 'src/consumer'],
  'gateway': ['src', 'chain'],
  'scripts': ['src', 'chain', 'gateway', 'test'],
  'test': ['src', 'chain', 'gateway', 'bench', 'eslint.layers.js'],
  'bench': ['src', 'chain', 'gateway', 'test'],
};

/** Used by every layer: generated types and codecs, the logger, four small utilities. */
export const SHARED = ['src/proto', 'src/log', 'src/coded-error.ts', 'src/serial-task.ts', 'src/turn-batch.ts', 'src/bounded-memo.ts'];

/**
 * Imports that break the table today, each with the step that removes it (none left: the
 * Plug & Charge handlers and the certificate inventory use src/pnc through domain ports).
 */
export const KNOWN_EXCEPTIONS = {};

const under = (path, folder) => path === folder || path.startsWith(`${folder}/`) || path === `${folder}.ts`;
const layerOf = (path) => Object.keys(LAYERS).filter((l) => under(path, l)).sort((a, b) => b.length - a.length)[0];

export const layersPlugin = {
  rules: {
    'allowed-imports': {
      meta: {
        type: 'problem', schema: [],
        messages: {
          upward: '{{from}} may not import {{to}}: {{layer}} imports only {{allowed}} (shared/DESIGN.md, Layout)',
          scripts: '{{from}} may not import {{to}}: nothing imports scripts/ (shared/DESIGN.md, Layout)',
        },
      },
      create(context) {
        const from = relative(ROOT, context.filename);
        const layer = layerOf(from);
        if (!layer) return {};
        const check = (node, spec) => {
          if (typeof spec !== 'string' || !spec.startsWith('.')) return;
          const to = relative(ROOT, resolve(dirname(context.filename), spec));
          if (under(to, layer)) return;
          if (under(to, 'scripts') && layer !== 'scripts') {
            context.report({ node, messageId: 'scripts', data: { from, to } });
            return;
          }
          const allowed = [...LAYERS[layer], ...SHARED, ...(KNOWN_EXCEPTIONS[from] ?? [])];
          if (allowed.some((a) => under(to, a))) return;
          context.report({ node, messageId: 'upward', data: { from, to, layer, allowed: [...LAYERS[layer], ...SHARED].join(', ') || 'its own files' } });
        };
        return {
          ImportDeclaration: (node) => check(node, node.source.value),
          ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
          ExportAllDeclaration: (node) => check(node, node.source.value),
          ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
        };
      },
    },
  },
};
