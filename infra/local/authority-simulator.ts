import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { ConflictError } from '../../shared/domain/errors.ts';
import type { Decision, Principal } from '../../shared/domain/records.ts';
import { whoVerifies } from '../../shared/domain/sms-verification.ts';
import { log } from '../../shared/log.ts';
import type { Deps } from '../../shared/ports/deps.ts';
import { missingEvidence } from '../../shared/use-cases/application-view.ts';
import { recordDecision } from '../../shared/use-cases/record-decision.ts';
import { recordSmsVerification } from '../../shared/use-cases/record-sms-verification.ts';

const Order = z.object({ applicationId: z.string(), tenantId: z.string(), attempt: z.number().int() });

/** A customer reference of this form makes the simulated authority reject with that reason code (for demos and tests). */
const REJECT_HOOK = /^simulate:reject:([A-Z_]+)$/;

/**
 * The authority's answer, decided like a provincial administration would on what it can see:
 * a site that still answers → SITE_STILL_REACHABLE; evidence not all accepted → MATERIALS_INCOMPLETE;
 * otherwise approved. `customerRef: "simulate:reject:<CODE>"` forces a rejection with CODE on every attempt.
 */
export function simulatedDecision(app: NonNullable<Awaited<ReturnType<Deps['applications']['get']>>>, missing: string[]): Decision {
  const hook = REJECT_HOOK.exec(app.customerRef ?? '');
  if (hook) return { outcome: 'rejected', reasons: [{ code: hook[1] as string, message: 'Rejected by the simulated authority (customerRef hook).' }] };
  if (app.probe?.reachable) {
    return { outcome: 'rejected', reasons: [{ code: 'SITE_STILL_REACHABLE', message: `The website still answers (${app.probe.detail}).` }] };
  }
  if (missing.length > 0) {
    return { outcome: 'rejected', reasons: [{ code: 'MATERIALS_INCOMPLETE', message: `Missing: ${missing.join(', ')}.` }] };
  }
  return { outcome: 'approved' };
}

/** Records the SMS the authority sends, retrying when the workflow updated the application at the same moment. */
async function textVerificationCode(deps: Deps, operator: Principal, applicationId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await recordSmsVerification(deps, operator, applicationId, {});
      return;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Changed meanwhile (try again), or no longer under review (nothing to text): the decision step sorts it out.
      if (attempt >= 3) return;
    }
  }
}

/**
 * The local stand-in for the authority: takes orders over HTTP (`POST /orders`, as `HttpAuthorityGateway` sends them)
 * and, after `delayMs`, texts the verification code of a subject or website cancellation and records its decision,
 * through the same use cases an operator's calls go through.
 */
export async function startAuthoritySimulator(options: {
  deps: () => Deps;
  delayMs: number;
  port?: number;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const timers = new Set<NodeJS.Timeout>();

  const decide = async (order: z.infer<typeof Order>): Promise<void> => {
    const deps = options.deps();
    const app = await deps.applications.get(order.applicationId);
    if (!app || app.tenantId !== order.tenantId || app.status !== 'under_review' || app.attempt !== order.attempt) return;
    const operator = { tenantId: app.tenantId, keyId: 'authority-simulator', scopes: ['operator' as const] };
    // Subject and website cancellations are verified by SMS first; the simulated person always enters the code (a
    // `simulate:reject:VERIFICATION_EXPIRED` reference plays the missed text).
    if (whoVerifies(app.kind)) await textVerificationCode(deps, operator, app.id);
    const decision = simulatedDecision(app, missingEvidence(app, await deps.applications.listEvidence(app)));
    try {
      await recordDecision(deps, operator, app.id, decision);
      log.info('simulated authority decided', { applicationId: app.id, attempt: app.attempt, outcome: decision.outcome });
    } catch (error) {
      // Decided already (an order handed over twice, or an operator was faster): nothing to do.
      if (!(error instanceof ConflictError)) throw error;
    }
  };

  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/orders') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      const parsed = Order.safeParse(body);
      if (!parsed.success) {
        res.writeHead(400).end();
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        decide(parsed.data).catch((error: unknown) => log.error('simulated authority failed', { error }));
      }, options.delayMs);
      timers.add(timer);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
