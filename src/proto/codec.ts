import type protobuf from 'protobufjs';
import { loadProtoRoot } from './schema.ts';
import type { ProtoTypes } from './types.ts';

/** Encodes and decodes one protobuf message type as the plain objects of src/proto/types.ts. */
export interface MessageCodec<T> {
  encode(value: T): Uint8Array;
  /** Throws on bytes that are not a valid encoding of the message. */
  decode(bytes: Uint8Array): T;
}

// Decoded objects carry every scalar, map and repeated field (defaults included), so
// readers never have to tell "absent" from "zero"; nested messages stay optional.
const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true };

let sharedRoot: protobuf.Root | undefined;

export function codecFor<N extends keyof ProtoTypes>(name: N): MessageCodec<ProtoTypes[N]> {
  sharedRoot ??= loadProtoRoot();
  const type = sharedRoot.lookupType(name);
  return {
    encode: (value) => type.encode(type.fromObject(value as Record<string, unknown>)).finish(),
    decode: (bytes) => type.toObject(type.decode(bytes), TO_OBJECT) as ProtoTypes[N],
  };
}
