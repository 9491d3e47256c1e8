import type { ESLint } from 'eslint';

export const LAYERS: Record<string, string[]>;
export const SHARED: string[];
export const KNOWN_EXCEPTIONS: Record<string, string[]>;
export const layersPlugin: ESLint.Plugin;
