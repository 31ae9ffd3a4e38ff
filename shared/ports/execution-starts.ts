/** The workflows whose executions are started through the start queue. */
export type Machine = 'review' | 'delivery';

/** One execution to start: which state machine, its name (deterministic: a start again is the same run) and input. */
export interface Execution {
  machine: Machine;
  name: string;
  input: Record<string, unknown>;
}

/** Starts an execution: durably requested at once, started at the system's pace (`PacedStarts.request`). */
export interface ExecutionStarter {
  /**
   * Done once the request is durable; the execution is started right away when the pace allows, else by a drain.
   * `requested`: the caller wrote the request already, held by itself (`startRequestItem` with `heldBy: 'caller'`, in
   * the transaction of the change that asks for the start), so only the start is left.
   * @throws what Step Functions answers other than throttling, when it is asked at once (the request stays)
   */
  request(execution: Execution, options?: { requested?: boolean }): Promise<void>;
}

/** The review execution of an application's run: what `ReviewWorkflow.start` starts and a batch row requests. */
export function reviewExecution(run: { applicationId: string; tenantId: string; name: string }): Execution {
  return { machine: 'review', name: run.name, input: { applicationId: run.applicationId, tenantId: run.tenantId } };
}

/**
 * The delivery execution of a delivery's run `run` (0, the first, is named after the delivery; a redelivery `-r<n>`).
 * Its first state waits `waitSeconds` (a whole number, which Step Functions' SecondsPath requires).
 */
export function deliveryExecution(input: { deliveryId: string; tenantId: string; run?: number; waitSeconds?: number }): Execution {
  const name = input.run ? `${input.deliveryId}-r${input.run}` : input.deliveryId;
  const waitSeconds = Math.max(0, Math.round(input.waitSeconds ?? 0));
  return { machine: 'delivery', name, input: { deliveryId: input.deliveryId, tenantId: input.tenantId, waitSeconds } };
}

/**
 * Durable start requests, drained at the system's one StartExecution pace (`adapters/sfn/paced-starts.ts`): every
 * batch, every Lambda instance, reviews and deliveries take from the same bucket.
 */
export interface StartDrainer {
  /**
   * Starts pending requests (of one batch, or any) at the pace until none is left, `budgetMs` has passed, or
   * `until()` says to stop. Without `until` an empty queue ends the drain; with it, the drain waits for more requests
   * (rows still being written) until `until()` is true.
   * @returns how many it started, and whether none of the requests it drains is left (started by anyone)
   * @throws Error when a start failed for another reason than throttling (the request stays, for a later drain)
   */
  drain(options: { batchId?: string; budgetMs: number; until?: () => boolean }): Promise<{ started: number; done: boolean }>;
}
