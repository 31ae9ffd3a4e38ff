import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Deps } from '../../shared/ports/deps.ts';
import { createTenant } from '../../shared/use-cases/authenticate.ts';

export const DEMO_TENANT_ID = 'tnt_demo';

export interface DemoTenant {
  tenantId: string;
  agencyKey: string;
  operatorKey: string;
}

/**
 * The local runtime's demo agency. Its keys are LOCAL_API_KEY / LOCAL_OPERATOR_KEY when given, otherwise generated on
 * first start and kept in `<dataDir>/demo-keys.json` (local development only; the table stores only their hashes),
 * so every start can print them.
 */
export async function ensureDemoTenant(
  deps: Deps,
  dataDir: string,
  keys: { agencyKey?: string; operatorKey?: string },
): Promise<DemoTenant> {
  const file = join(dataDir, 'demo-keys.json');
  const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoTenant>) : {};
  const tenant = await createTenant(deps, {
    name: 'Demo agency',
    tenantId: DEMO_TENANT_ID,
    ...((keys.agencyKey ?? saved.agencyKey) ? { agencyKey: keys.agencyKey ?? saved.agencyKey } : {}),
    ...((keys.operatorKey ?? saved.operatorKey) ? { operatorKey: keys.operatorKey ?? saved.operatorKey } : {}),
  });
  writeFileSync(file, JSON.stringify(tenant, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return tenant;
}
