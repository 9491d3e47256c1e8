import peaqDefinitions from '@peaqnetwork/type-definitions';
import type { ApiOptions } from '@polkadot/api/types';

type Definitions = { typesBundle: { spec: Record<string, unknown> }; rpc: ApiOptions['rpc']; signedExtensions: ApiOptions['signedExtensions'] };

/**
 * peaq's types and RPCs (peaqdid_readAttribute, ...). The bundle is keyed "peaq" while peaq
 * nodes report the spec names peaq-node, peaq-node-krest and peaq-node-dev: all map to it.
 */
export function peaqApiOptions(): Pick<ApiOptions, 'typesBundle' | 'rpc' | 'signedExtensions'> {
  const defs = peaqDefinitions as unknown as Definitions;
  const spec = defs.typesBundle.spec.peaq;
  return {
    typesBundle: { spec: { peaq: spec, 'peaq-node': spec, 'peaq-node-krest': spec, 'peaq-node-dev': spec } } as ApiOptions['typesBundle'],
    rpc: defs.rpc,
    signedExtensions: defs.signedExtensions,
  };
}
