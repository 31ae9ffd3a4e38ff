import { seededRandom } from '../shared/adapters/faults/fault-plan.ts';

/**
 * What the chaos run asks of the system, drawn from its seed before anything is sent: every application (a single one
 * or a batch row), the path it is to take through the lifecycle, and so the one final status it must end in. The
 * driver (`driver.ts`) plays the agency and the operator along these paths; the checks (`checks.ts`) hold the system to
 * them.
 */

export type Kind = 'cancel_website' | 'cancel_access';

/** How an application is to end, and how it gets there. */
export type Path =
  /** Approved at its first review. */
  | 'approve'
  /** Rejected (INFO_MISMATCH) `rejections` times, resubmitted each time with a corrected website name, then approved. */
  | 'correct'
  /** Rejected at every review until the resubmissions run out: rejected_final. */
  | 'exhaust'
  /** Withdrawn as a draft, its evidence accepted but never submitted (singles only). */
  | 'withdraw_draft'
  /** Rejected once, then withdrawn instead of corrected. */
  | 'withdraw_rejected'
  /** A batch row refused at ingestion: an invalid credit code, or a filing an earlier row of the batch has. */
  | 'refused';

export const FINAL_STATUS_OF: Record<Exclude<Path, 'refused'>, string> = {
  approve: 'approved',
  correct: 'approved',
  exhaust: 'rejected_final',
  withdraw_draft: 'withdrawn',
  withdraw_rejected: 'withdrawn',
};

export interface PlannedApplication {
  /** The customer reference, unique in the run: the key everything about the application is checked by. */
  ref: string;
  /** `single` (POST /v1/applications) or a row of batch `batch` (its row number from 1). */
  batch?: number;
  row?: number;
  path: Path;
  /** Reviews to reject before the approval (`correct`: 1 or 2). */
  rejections: number;
  body: ApplicationBody;
}

export interface ApplicationBody {
  kind: Kind;
  filingNumber: string;
  websiteName: string;
  domains: string[];
  subject: { name: string; type: 'enterprise'; creditCode: string };
  reason: 'business_change';
  siteState: { state: 'closed'; since: string };
  customerRef: string;
}

export interface ChaosPlan {
  seed: number;
  singles: PlannedApplication[];
  /** Each batch's rows, in manifest order. */
  batches: PlannedApplication[][];
}

const CREDIT_CODE = '91330100799655058B';
/** The same code with a wrong check character: the row is refused (`invalid_check_character`). */
const BAD_CREDIT_CODE = '91330100799655058A';

/**
 * The plan of a run: `singles` single applications and `rows` batch rows over `batches` CSV batches, every draw from
 * `seed`. `siteSince` is the day the sites closed (before the system's clock). Shares (singles / rows): approve 55% /
 * 75%, correct 20% / 12%, exhaust 5% / 3%, withdrawn as a draft 10% / —, withdrawn after a rejection 10% / 5%, refused
 * — / 5% (one in five of those a duplicate of an earlier row's filing). A quarter are access removals (no SMS
 * verification), the rest website cancellations (verified by SMS at each review).
 */
export function makePlan(options: { seed: number; singles: number; rows: number; batches: number; siteSince: string }): ChaosPlan {
  const random = seededRandom(options.seed, 'chaos:plan');
  let filings = 0;
  const body = (ref: string): ApplicationBody => {
    filings += 1;
    return {
      kind: random() < 0.25 ? 'cancel_access' : 'cancel_website',
      // The 10-digit form: a year (2020) and six digits, unique in the run.
      filingNumber: `京ICP备2020${String(100_000 + filings).padStart(6, '0')}号-1`,
      websiteName: '示例网站',
      domains: [`${ref.toLowerCase()}.example.cn`],
      subject: { name: '示例科技有限公司', type: 'enterprise', creditCode: CREDIT_CODE },
      reason: 'business_change',
      siteState: { state: 'closed', since: options.siteSince },
      customerRef: ref,
    };
  };
  const pick = (shares: [Path, number][]): Path => {
    let r = random();
    for (const [path, share] of shares) {
      if (r < share) return path;
      r -= share;
    }
    return shares[0]![0];
  };
  const planned = (ref: string, path: Path, extra: Partial<PlannedApplication> = {}): PlannedApplication => ({
    ref,
    path,
    rejections: path === 'correct' ? 1 + Math.floor(random() * 2) : path === 'withdraw_rejected' ? 1 : 0,
    body: body(ref),
    ...extra,
  });

  const singles = Array.from({ length: options.singles }, (_, i) =>
    planned(
      `chaos-s${String(i + 1).padStart(4, '0')}`,
      pick([
        ['approve', 0.55],
        ['correct', 0.2],
        ['exhaust', 0.05],
        ['withdraw_draft', 0.1],
        ['withdraw_rejected', 0.1],
      ]),
    ),
  );
  const batches: PlannedApplication[][] = [];
  const perBatch = Math.ceil(options.rows / Math.max(1, options.batches));
  for (let b = 0; b < options.batches && b * perBatch < options.rows; b++) {
    const rows: PlannedApplication[] = [];
    const count = Math.min(perBatch, options.rows - b * perBatch);
    for (let r = 1; r <= count; r++) {
      const ref = `chaos-b${b + 1}-r${String(r).padStart(4, '0')}`;
      const path = pick([
        ['approve', 0.75],
        ['correct', 0.12],
        ['exhaust', 0.03],
        ['withdraw_rejected', 0.05],
        ['refused', 0.05],
      ]);
      const row = planned(ref, path, { batch: b + 1, row: r });
      if (path === 'refused') {
        // One refusal in five repeats an earlier row's filing (`duplicate_in_batch`: the first row wins); the others
        // carry a credit code whose check character is wrong.
        const earlier = rows.find((x) => x.path !== 'refused');
        if (earlier && random() < 0.2) row.body.filingNumber = earlier.body.filingNumber;
        else row.body.subject.creditCode = BAD_CREDIT_CODE;
      }
      rows.push(row);
    }
    batches.push(rows);
  }
  return { seed: options.seed, singles, batches };
}

/** Every planned application that is to become one (all but the refused rows). */
export function expectedApplications(plan: ChaosPlan): PlannedApplication[] {
  return [...plan.singles, ...plan.batches.flat()].filter((p) => p.path !== 'refused');
}
