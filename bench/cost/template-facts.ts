import { localLambdaArn, readStateMachines, type CfnTemplate } from '../../infra/local/step-functions/template.ts';
import { readWiring } from '../../infra/local/template-wiring.ts';
import type { MachineRole } from './paths.ts';

/** What the cost model reads off the synthesized template. */
export interface TemplateFacts {
  /** The state machines by role: name, type, and definition resolved to plain ASL. */
  machines: Record<MachineRole, { name: string; type: 'STANDARD' | 'EXPRESS'; definition: Record<string, unknown> }>;
  /** Every Lambda function of the service by logical id, as it is configured to run. */
  functions: Map<string, { name: string; memoryMb: number; architecture: 'arm64' | 'x86_64'; entry?: string }>;
  /** Functions that state machine tasks invoke (their invocations belong to an execution's trace). */
  taskFunctions: Set<string>;
}

/** The facts of the service stack (and its wiring with the data stack). */
export function readTemplateFacts(templates: { data: CfnTemplate; service: CfnTemplate }): TemplateFacts {
  const wiring = readWiring(templates.data, templates.service);
  const resources = templates.service.Resources ?? {};
  const all = readStateMachines(templates.service);
  const machine = (logicalId: string) => {
    const found = all.find((m) => m.logicalId === logicalId);
    if (!found) throw new Error(`No state machine ${logicalId} in the template`);
    const type = resources[logicalId]?.Properties?.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD';
    return { name: found.name, type, definition: found.definition } as const;
  };
  const functions: TemplateFacts['functions'] = new Map();
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const props = resource.Properties ?? {};
    const entry = resource.Metadata?.['icp:entry'];
    functions.set(id, {
      name: shortName(id),
      // CloudFormation's defaults: 128 MB, x86_64.
      memoryMb: Number(props.MemorySize ?? 128),
      architecture: (props.Architectures as string[] | undefined)?.[0] === 'arm64' ? 'arm64' : 'x86_64',
      ...(typeof entry === 'string' ? { entry } : {}),
    });
  }
  const arns = new Map([...functions.keys()].map((id) => [localLambdaArn(id), id]));
  const taskFunctions = new Set<string>();
  for (const m of all) {
    const text = JSON.stringify(m.definition);
    for (const [arn, id] of arns) if (text.includes(`"${arn}"`)) taskFunctions.add(id);
  }
  return {
    machines: { review: machine(wiring.stateMachines.review), delivery: machine(wiring.stateMachines.delivery), batches: machine(wiring.stateMachines.batches) },
    functions,
    taskFunctions,
  };
}

/** A logical id without the hash CDK appends: `DeliverWebhookC7F42581` → `DeliverWebhook`. */
export function shortName(logicalId: string): string {
  return logicalId.replace(/[0-9A-F]{8}$/, '');
}
