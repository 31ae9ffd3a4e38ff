import { z } from 'zod';
import { ClockStart } from './local-clock.ts';
import { startLocalRuntime, TABLE_NAME } from './runtime.ts';

/** `npm start`: the whole system on this machine. Configuration by environment variables (README "Configuration"). */
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().min(1).default('.data'),
  AUTHORITY: z.enum(['simulated', 'manual']).default('simulated'),
  AUTHORITY_DELAY_MS: z.coerce.number().int().min(0).default(2000),
  LOCAL_TIME_SCALE: z.coerce.number().positive().max(1).default(1),
  LOCAL_API_KEY: z.string().min(16).optional(),
  LOCAL_OPERATOR_KEY: z.string().min(16).optional(),
  MAX_RESUBMISSIONS: z.coerce.number().int().min(0).max(10).optional(),
  LOCAL_MAX_STARTING_EXECUTIONS: z.coerce.number().int().min(1).optional(),
  LOCAL_CLOCK_START: ClockStart.optional(),
  LOCAL_HANDLERS: z.enum(['sources', 'bundled']).default('sources'),
  LOCAL_IAM: z.enum(['enforce', 'off']).optional(),
});

const parsed = Env.safeParse(process.env);
if (!parsed.success) {
  for (const issue of parsed.error.issues) console.error(`Invalid ${issue.path.join('.')}: ${issue.message}`);
  process.exit(2);
}
const env = parsed.data;
if (env.LOCAL_IAM === 'enforce' && env.LOCAL_HANDLERS !== 'bundled') {
  console.error('LOCAL_IAM=enforce needs LOCAL_HANDLERS=bundled: the sources share one process and one set of credentials.');
  process.exit(2);
}
const iam = env.LOCAL_IAM ?? (env.LOCAL_HANDLERS === 'bundled' ? 'enforce' : 'off');

const runtime = await startLocalRuntime({
  port: env.PORT,
  dataDir: env.DATA_DIR,
  authority: env.AUTHORITY,
  authorityDelayMs: env.AUTHORITY_DELAY_MS,
  timeScale: env.LOCAL_TIME_SCALE,
  handlers: env.LOCAL_HANDLERS,
  iam,
  ...(env.LOCAL_API_KEY ? { agencyKey: env.LOCAL_API_KEY } : {}),
  ...(env.LOCAL_OPERATOR_KEY ? { operatorKey: env.LOCAL_OPERATOR_KEY } : {}),
  ...(env.MAX_RESUBMISSIONS === undefined ? {} : { maxResubmissions: env.MAX_RESUBMISSIONS }),
  ...(env.LOCAL_MAX_STARTING_EXECUTIONS === undefined ? {} : { maxStartingExecutions: env.LOCAL_MAX_STARTING_EXECUTIONS }),
  ...(env.LOCAL_CLOCK_START === undefined ? {} : { clockStart: env.LOCAL_CLOCK_START }),
});

const clockLine = env.LOCAL_CLOCK_START
  ? `\n  clock:         ${runtime.clock.now().toISOString()} (LOCAL_CLOCK_START=${env.LOCAL_CLOCK_START}; the machine's is elsewhere)`
  : '';
console.log(`
icp-cancel is running locally at ${runtime.url}
  console:       ${runtime.url}/console/ (sign in with a key below)
  data:          ${env.DATA_DIR}
  handlers:      ${env.LOCAL_HANDLERS === 'bundled' ? 'bundled (the minified bundles of cdk.out, one worker per function)' : 'sources (TypeScript, in-process)'}
  IAM:           ${iam === 'enforce' ? "enforced (each function's calls authorised against its role; denials logged at WARN)" : env.LOCAL_HANDLERS === 'bundled' ? 'off (LOCAL_IAM=off)' : 'off (the sources run under no role; LOCAL_HANDLERS=bundled enforces it)'}
  authority:     ${env.AUTHORITY}${env.AUTHORITY === 'simulated' ? ` (decides after ${env.AUTHORITY_DELAY_MS} ms)` : ' (record decisions with the operator key)'}
  agency key:    ${runtime.demoTenant.agencyKey}
  operator key:  ${runtime.demoTenant.operatorKey}
  DynamoDB:      ${process.env.AWS_ENDPOINT_URL_DYNAMODB}, table ${TABLE_NAME} (another tenant: npm run admin, see README)${clockLine}
Stop with Ctrl+C.
`);

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping…`);
  runtime.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
