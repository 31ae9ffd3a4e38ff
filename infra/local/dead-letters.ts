import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One message of a local dead-letter queue, as the deployed queue would hold it. */
export interface DeadLetter {
  /** The function whose failures the queue keeps (the stream mapping's or the S3 notification's target). */
  source: string;
  at: string;
  /**
   * A stream mapping's: the batch's coordinates (`DDBStreamBatchInfo`, as an on-failure destination gets them). An S3
   * notification's: the event whole (`requestPayload`, as an asynchronous invocation's destination gets it).
   */
  message: Record<string, unknown>;
  /** Why it was given up on (the last error's name and message). */
  error: string;
}

/** The folder of the data folder that holds them, one `<source>.jsonl` file per queue. */
export const DEAD_LETTERS_DIR = 'dead-letters';

/**
 * The local runtime's dead-letter queues. In AWS, a table-stream batch that still fails after its retries leaves its
 * coordinates in its mapping's queue, and an S3 event a notified function still fails on after Lambda's two retries
 * goes whole to that function's queue (README "Where failures end up"). Locally they are lines in files of the data
 * folder, written at once (a kill a moment later does not lose them), so a run, a test or a person can see what would
 * be waiting in a queue: `readDeadLetters(dataDir)`, or `cat <DATA_DIR>/dead-letters/*.jsonl`.
 */
export class LocalDeadLetters {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, DEAD_LETTERS_DIR);
  }

  record(source: string, message: Record<string, unknown>, error: unknown): void {
    mkdirSync(this.dir, { recursive: true });
    const letter: DeadLetter = { source, at: new Date().toISOString(), message, error: describe(error) };
    appendFileSync(join(this.dir, `${source}.jsonl`), `${JSON.stringify(letter)}\n`);
  }
}

/** Every dead letter the runtime on `dataDir` has kept, queue by queue. */
export function readDeadLetters(dataDir: string): DeadLetter[] {
  const dir = join(dataDir, DEAD_LETTERS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .flatMap((name) =>
      readFileSync(join(dir, name), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as DeadLetter),
    );
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
