import { generateOcppTypes } from './schema-typegen.ts';
import { loadSchemas } from './schemas.ts';

/** The generated OCPP type modules: where each lives and how it is made. */
export const OCPP_TYPE_FILES = [
  { path: 'src/ocpp/v16/schema-types.ts', generate: () => generateOcppTypes(loadSchemas('ocpp1.6'), 'Actions16', 'the OCPP 1.6 schemas in ocpp-rpc') },
  { path: 'src/ocpp/v201/schema-types.ts', generate: () => generateOcppTypes(loadSchemas('ocpp2.0.1'), 'Actions201', 'the OCPP 2.0.1 schemas in ocpp-rpc') },
] as const;
