import { TransientError } from '../../domain/errors.ts';
import type { AuthorityGateway } from '../../ports/services.ts';

/**
 * Production: no provider has a cancellation API, so the order waits for an agency operator, who performs it in the
 * provider console / MIIT system and records the outcome with `POST /v1/reviews/{id}/decision`.
 */
export class ManualAuthorityGateway implements AuthorityGateway {
  async submitOrder(): Promise<void> {}
}

/** The local runtime: hands the order to the simulated authority over HTTP, which answers later by itself. */
export class HttpAuthorityGateway implements AuthorityGateway {
  constructor(private readonly baseUrl: string) {}

  async submitOrder(order: { applicationId: string; tenantId: string; attempt: number }): Promise<void> {
    let response: Response;
    try {
      response = await fetch(new URL('/orders', this.baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(order),
        signal: AbortSignal.timeout(5000),
      });
    } catch (error) {
      throw new TransientError('The authority could not be reached; retry.', { cause: error });
    }
    if (!response.ok) throw new TransientError(`The authority answered ${response.status}; retry.`);
  }
}
