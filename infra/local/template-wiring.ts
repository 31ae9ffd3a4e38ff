import type { CfnResource, CfnTemplate } from './step-functions/template.ts';

/**
 * How the service stack wires its functions, read from the synthesized template, so the local runtime routes exactly
 * as API Gateway, S3 notifications and event source mappings would in AWS.
 */
export interface Wiring {
  /** `POST /v1/applications` → the function's logical id. */
  routes: { routeKey: string; functionId: string }[];
  /** Functions notified of created objects, with their key prefix. */
  objectCreated: { functionId: string; prefix: string }[];
  /** Functions fed by the table's stream, with their filter patterns (EventBridge-style JSON strings). */
  streams: { functionId: string; patterns: string[]; batchSize: number; maxRetryAttempts: number; bisectBatchOnError: boolean }[];
  /** Functions a schedule invokes (`rate(…)` EventBridge rules), with the interval. */
  schedules: { functionId: string; everyMs: number }[];
  /** The records table's properties (for DynamoDB Local). */
  tableProperties: Record<string, unknown>;
  /** Logical ids of the state machines, by role. */
  stateMachines: { review: string; delivery: string; batches: string };
}

function ofType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === type);
}

/** The logical id a `Ref` or `Fn::GetAtt` points at. */
function targetOf(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return v.Ref;
    if (Array.isArray(v['Fn::GetAtt'])) return String(v['Fn::GetAtt'][0]);
    if (Array.isArray(v['Fn::Join'])) {
      const parts = (v['Fn::Join'] as [string, unknown[]])[1];
      for (const part of parts) {
        const id = targetOf(part);
        if (id) return id;
      }
    }
  }
  return undefined;
}

export function readWiring(data: CfnTemplate, service: CfnTemplate): Wiring {
  const resources = service.Resources ?? {};
  const routes = ofType(service, 'AWS::ApiGatewayV2::Route').map(([id, r]) => {
    const integrationId = targetOf(r.Properties?.Target);
    const functionId = targetOf(resources[integrationId ?? '']?.Properties?.IntegrationUri);
    if (!functionId) throw new Error(`Route ${id} has no Lambda integration`);
    return { routeKey: String(r.Properties?.RouteKey), functionId };
  });

  const objectCreated = ofType(service, 'Custom::S3BucketNotifications').flatMap(([, r]) => {
    const config = r.Properties?.NotificationConfiguration as
      | { LambdaFunctionConfigurations?: { LambdaFunctionArn: unknown; Filter?: { Key?: { FilterRules?: { Name: string; Value: string }[] } } }[] }
      | undefined;
    return (config?.LambdaFunctionConfigurations ?? []).map((c) => ({
      functionId: targetOf(c.LambdaFunctionArn) ?? '',
      prefix: c.Filter?.Key?.FilterRules?.find((f) => f.Name.toLowerCase() === 'prefix')?.Value ?? '',
    }));
  });

  const streams = ofType(service, 'AWS::Lambda::EventSourceMapping').map(([, r]) => ({
    functionId: targetOf(r.Properties?.FunctionName) ?? '',
    patterns: ((r.Properties?.FilterCriteria as { Filters?: { Pattern: string }[] } | undefined)?.Filters ?? []).map((f) => f.Pattern),
    batchSize: Number(r.Properties?.BatchSize ?? 100),
    maxRetryAttempts: Number(r.Properties?.MaximumRetryAttempts ?? -1),
    bisectBatchOnError: r.Properties?.BisectBatchOnFunctionError === true,
  }));

  const schedules = ofType(service, 'AWS::Events::Rule').flatMap(([id, r]) => {
    const expression = r.Properties?.ScheduleExpression;
    if (typeof expression !== 'string') return [];
    const targets = (r.Properties?.Targets as { Arn: unknown }[] | undefined) ?? [];
    return targets.map((t) => ({ functionId: targetOf(t.Arn) ?? '', everyMs: rateMs(id, expression) }));
  });

  const tables = ofType(data, 'AWS::DynamoDB::Table');
  if (tables.length !== 1) throw new Error(`Expected one table in the data stack, found ${tables.length}`);

  const machines = ofType(service, 'AWS::StepFunctions::StateMachine').map(([id]) => id);
  const review = machines.find((id) => id.startsWith('Review'));
  const delivery = machines.find((id) => id.startsWith('Delivery'));
  const batches = machines.find((id) => id.startsWith('BatchIngestion'));
  if (!review || !delivery || !batches) {
    throw new Error(`Expected the Review, Delivery and BatchIngestion state machines, found ${machines.join(', ')}`);
  }

  return {
    routes,
    objectCreated,
    streams,
    schedules,
    tableProperties: (tables[0] as [string, CfnResource])[1].Properties ?? {},
    stateMachines: { review, delivery, batches },
  };
}

/** The interval of a `rate(n unit)` schedule expression (the only kind the stack uses; `cron(…)` is refused). */
function rateMs(ruleId: string, expression: string): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!match) throw new Error(`Rule ${ruleId}: the local runtime runs rate(…) schedules only, not ${expression}`);
  const unit = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[match[2]?.replace(/s$/, '') as 'minute' | 'hour' | 'day'];
  return Number(match[1]) * unit;
}

/**
 * Whether the bucket the data stack gives the service stack (its output) versions its objects
 * (`VersioningConfiguration.Status: Enabled`), so that the local S3 versions the local bucket likewise.
 *
 * @throws Error when the data stack gives out no bucket, or several (the local runtime serves one)
 */
export function bucketVersioned(data: CfnTemplate): boolean {
  const exported = new Set(
    Object.values(data.Outputs ?? {})
      .map((output) => targetOf(output.Value))
      .filter((id): id is string => id !== undefined && data.Resources?.[id]?.Type === 'AWS::S3::Bucket'),
  );
  if (exported.size !== 1) throw new Error(`Expected the data stack to give out one bucket, found ${exported.size}`);
  const bucket = data.Resources?.[[...exported][0] as string];
  return (bucket?.Properties?.VersioningConfiguration as { Status?: string } | undefined)?.Status === 'Enabled';
}
