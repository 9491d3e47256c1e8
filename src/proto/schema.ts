import { fileURLToPath } from 'node:url';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';

/** The folder that holds the project's .proto files: the one source of truth for every format. */
export const PROTO_DIR = fileURLToPath(new URL('../../proto/', import.meta.url));

/** Loads every .proto file under proto/ into one protobufjs root (field names in camelCase; `//` comments kept for the type generator). */
export function loadProtoRoot(dir: string = PROTO_DIR): protobuf.Root {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.proto'))
    .sort()
    .map((f) => join(dir, f));
  const root = new protobuf.Root();
  root.loadSync(files, { keepCase: false, alternateCommentMode: true });
  root.resolveAll();
  return root;
}
