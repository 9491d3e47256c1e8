// The V8 flags the node runs with (bin/charging-gateway.js adds them for `start`; package.json's
// `start` script and docker/Dockerfile repeat them; the benchmarks run the node with them).
// A larger young generation: a busy node allocates per message, and with V8's default each
// station message paid about a quarter more CPU in garbage collection (BENCHMARKS.md).
// --expose-gc: the node compacts its heap when quiet after a burst (gateway/idle-compaction.ts).
export const NODE_FLAGS = ['--max-semi-space-size=64', '--expose-gc'];
