/**
 * An error with a stable code that callers act on (a wallet, the admin API, a station's
 * statusInfo); the message says the rest in words. Each layer names its own codes.
 */
export class CodedError<C extends string = string> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
