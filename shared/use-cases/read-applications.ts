import { ApplicationStatus } from '../domain/application.ts';
import type { ApplicationFilter } from '../domain/application-filter.ts';
import { chinaToday } from '../domain/calendar/china-date.ts';
import { ValidationError } from '../domain/errors.ts';
import { parseFilingNumber } from '../domain/identifiers/filing-number.ts';
import type { Principal } from '../domain/records.ts';
import type { Deps } from '../ports/deps.ts';
import { applicationTimeline } from './application-timeline.ts';
import { applicationDetailView, applicationView } from './application-view.ts';
import { loadOwnedApplication } from './load-owned-application.ts';

/** One application with its evidence and full timeline. */
export async function getApplication(deps: Pick<Deps, 'applications'>, principal: Principal, id: string) {
  const app = await loadOwnedApplication(deps, principal.tenantId, id);
  const [evidence, timeline] = await Promise.all([deps.applications.listEvidence(app), applicationTimeline(deps, app)]);
  return applicationDetailView(app, evidence, timeline);
}

/** How many applications a page of `GET /v1/applications` holds, unless `?limit=` says (the API's document reads these). */
export const APPLICATION_PAGE = { defaultLimit: 50, maxLimit: 200 } as const;

/**
 * How many entries of the list one filtered (or oldest-first) call examines at most: the index holds keys only, so a
 * filter is applied to the items read from the table, and this bounds what a call costs (about 500 read units: half a
 * unit an item read, eventually consistent) however few items match. A page may then hold fewer than `limit` items,
 * with a `nextCursor` to go on.
 */
export const APPLICATION_FILTER_SCAN = 1_000;

/** The orders a list can be read in (`?order=`). */
export const APPLICATION_ORDERS = ['newest', 'oldest'] as const;

/**
 * The tenant's applications, a page at a time (optionally one batch's), filtered and ordered as the query says.
 *
 * 1. The query is checked (`limit`, `status`, `filingNumber`, `customerRef`, `order`): a 400 naming the parameter, the
 *    rule and what is allowed, before anything is read.
 * 2. The repository reads the page: exact when unfiltered and newest first; otherwise examining at most
 *    `APPLICATION_FILTER_SCAN` entries, a cursor to go on when it stopped before the end.
 */
export async function listApplications(
  deps: Pick<Deps, 'applications' | 'clock'>,
  principal: Principal,
  query: { limit?: string; cursor?: string; batchId?: string; status?: string; filingNumber?: string; customerRef?: string; order?: string },
) {
  const limit = query.limit === undefined ? APPLICATION_PAGE.defaultLimit : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > APPLICATION_PAGE.maxLimit) {
    throw new ValidationError('limit is out of range.', {
      errors: [{ path: 'limit', code: 'out_of_range', message: 'Use a whole number from 1 to 200 (default 50).' }],
    });
  }
  const order = parseOrder(query.order);
  const filter = parseFilter(query, deps.clock.now());
  const page = await deps.applications.list(principal.tenantId, {
    limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
    ...(query.batchId ? { batchId: query.batchId } : {}),
    order,
    filter,
    scanBudget: APPLICATION_FILTER_SCAN,
  });
  return { items: page.items.map((a) => applicationView(a)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

function parseOrder(order: string | undefined): (typeof APPLICATION_ORDERS)[number] {
  if (order === undefined || order === 'newest' || order === 'oldest') return order ?? 'newest';
  throw new ValidationError('order is not valid.', {
    errors: [{ path: 'order', code: 'invalid_value', message: 'Use newest (the default) or oldest.' }],
  });
}

function parseFilter(query: { status?: string; filingNumber?: string; customerRef?: string }, now: Date): ApplicationFilter {
  const filter: ApplicationFilter = {};
  if (query.status !== undefined) {
    const statuses = query.status.split(',').map((s) => s.trim());
    const unknown = statuses.filter((s) => !ApplicationStatus.safeParse(s).success);
    if (unknown.length > 0 || statuses.length === 0) {
      throw new ValidationError('status is not valid.', {
        errors: [
          {
            path: 'status',
            code: 'invalid_value',
            message: `Unknown status ${unknown.map((s) => JSON.stringify(s)).join(', ')}: use one of ${ApplicationStatus.options.join(', ')}, or several separated by commas.`,
          },
        ],
      });
    }
    filter.statuses = statuses as ApplicationStatus[];
  }
  if (query.filingNumber !== undefined) {
    const parsed = parseFilingNumber(query.filingNumber, 'filingNumber', { today: chinaToday(now) });
    if (!parsed.ok) throw new ValidationError('The filing number is not valid.', { errors: parsed.errors });
    filter.filingNumber = parsed.value;
  }
  if (query.customerRef !== undefined) {
    const ref = query.customerRef.trim();
    if (ref.length < 1 || ref.length > 128) {
      throw new ValidationError('customerRef is not valid.', {
        errors: [{ path: 'customerRef', code: 'out_of_range', message: 'Give the customer reference as created: 1 to 128 characters.' }],
      });
    }
    filter.customerRef = ref;
  }
  return filter;
}
