import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { log } from '../../../shared/log.ts';

/** Progress on one shard: the last sequence number handled, and whether the (closed) shard has been read to its end. */
export interface ShardProgress {
  sequenceNumber?: string;
  finished?: boolean;
}

/** Progress of a poller on one stream, by shard id. */
export interface StreamCheckpoint {
  streamArn: string;
  shards: Record<string, ShardProgress>;
}

/**
 * Reads a checkpoint file. A missing file, or one written for another stream (the table was re-created, so its
 * sequence numbers mean nothing now), gives an empty checkpoint: the poller then starts at the trim horizon.
 */
export async function loadCheckpoint(file: string | undefined, streamArn: string): Promise<StreamCheckpoint> {
  const empty: StreamCheckpoint = { streamArn, shards: {} };
  if (!file) return empty;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return empty;
    throw error;
  }
  const saved = JSON.parse(text) as Partial<StreamCheckpoint>;
  if (saved.streamArn === streamArn && saved.shards) return { streamArn, shards: saved.shards };
  log.warn('stream checkpoint is for another stream (the table was re-created); starting from the oldest record', {
    file,
    saved: saved.streamArn,
    current: streamArn,
  });
  return empty;
}

/**
 * Writes a checkpoint file atomically (a temporary file renamed over the old one), so a crash mid-write leaves the
 * previous checkpoint rather than a truncated one. Without a file, progress lives in memory only.
 */
export async function saveCheckpoint(file: string | undefined, checkpoint: StreamCheckpoint): Promise<void> {
  if (!file) return;
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`);
  await rename(temporary, file);
}
