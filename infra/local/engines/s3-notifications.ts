import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { S3Event } from 'aws-lambda';

/** A notification kept until its handler is done. */
export interface KeptNotification {
  id: string;
  event: S3Event;
}

/**
 * The local S3's notifications not yet handled, one file each in the data folder. S3 holds a notification durably
 * from the moment it answers the upload, and Lambda's asynchronous invocation queue keeps it until the function is
 * done with it (or its retries are over): a crash of the function, or of the whole local runtime, loses nothing.
 * Locally the notification lives in the runtime's memory until its handler runs, so it is written here first
 * (synchronously, before the upload is answered), removed when its handler is done, and a start hands on what a crash
 * left (`S3Local.deliverKept`).
 */
export class KeptNotifications {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Writes the notification to disk; returns its id, for `done`. */
  keep(event: S3Event): string {
    const id = `${Date.now().toString(36).padStart(9, '0')}-${randomUUID()}`;
    writeFileSync(path.join(this.dir, `${id}.json`), JSON.stringify(event));
    return id;
  }

  /** The notification was handled (or given up on after its retries): nothing left to deliver. */
  done(id: string): void {
    rmSync(path.join(this.dir, `${id}.json`), { force: true });
  }

  /** What is still kept, oldest first. */
  list(): KeptNotification[] {
    return readdirSync(this.dir)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => ({ id: name.slice(0, -'.json'.length), event: JSON.parse(readFileSync(path.join(this.dir, name), 'utf8')) as S3Event }));
  }
}
