// What a wallet catches when the gateway refuses a request: the protocol's refusal, whose
// `code` says why (see cgw.ErrorResponse in proto/node.proto).
export { Refusal as ConsumerError } from '../p2p/refusal.ts';
