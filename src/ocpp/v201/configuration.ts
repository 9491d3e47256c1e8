import { newVariable, type ConfigurationVariable } from '../../domain/configuration.ts';
import type { ReportDataType } from './schema-types.ts';

/** A NotifyReport's report data as configuration variables (every attribute and characteristic kept). */
export function variablesFromReport(reportData: ReportDataType[] = []): ConfigurationVariable[] {
  return reportData.map((d) => {
    const { customData: _c, ...characteristics } = d.variableCharacteristics ?? { customData: undefined };
    return newVariable(
      {
        component: d.component.name, componentInstance: d.component.instance, evseId: d.component.evse?.id, connectorId: d.component.evse?.connectorId,
        variable: d.variable.name, variableInstance: d.variable.instance,
      },
      d.variableAttribute.map(({ customData: _a, ...attribute }) => attribute),
      d.variableCharacteristics ? JSON.stringify(characteristics) : '',
    );
  });
}
