import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalDeadLetters, readDeadLetters } from '../../../infra/local/dead-letters.ts';

describe('the local dead-letter queues', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'icp-dlq-'));
    dirs.push(dir);
    return dir;
  };

  it('keeps each message in its queue, in the data folder, as the deployed queue would hold it', () => {
    // Prepare
    const dir = dataDir();
    const letters = new LocalDeadLetters(dir);
    const error = Object.assign(new Error('Runtime exited with error'), { name: 'Runtime.ExitError' });

    // Act
    letters.record('DispatchEvents08477DBF', { DDBStreamBatchInfo: { shardId: 'shard-1', batchSize: 2 } }, error);
    letters.record('CheckEvidence1234', { requestPayload: { Records: [{ s3: { object: { key: 'evidence/a' } } }] } }, 'gave up');
    letters.record('DispatchEvents08477DBF', { DDBStreamBatchInfo: { shardId: 'shard-1', batchSize: 1 } }, error);

    // Assess: read back queue by queue, and one JSON line a message on disk (written at once, for a kill to keep)
    const read = readDeadLetters(dir);
    expect(read.map((l) => [l.source, l.error])).toEqual([
      ['CheckEvidence1234', 'gave up'],
      ['DispatchEvents08477DBF', 'Runtime.ExitError: Runtime exited with error'],
      ['DispatchEvents08477DBF', 'Runtime.ExitError: Runtime exited with error'],
    ]);
    expect(read[1]?.message).toEqual({ DDBStreamBatchInfo: { shardId: 'shard-1', batchSize: 2 } });
    expect(readFileSync(join(dir, 'dead-letters', 'DispatchEvents08477DBF.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('reads an empty list from a data folder whose queues never got a message', () => {
    expect(readDeadLetters(dataDir())).toEqual([]);
  });
});
