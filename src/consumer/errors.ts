/** The gateway refused a request; `code` says why (see cgw.ErrorResponse in proto/node.proto). */
export class ConsumerError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ConsumerError';
    this.code = code;
  }
}
