import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError } from './errors.ts';

export interface Manifest {
  path: string;
  bytes: Buffer;
}

/**
 * Reads a manifest and refuses, before anything is sent, files the API could only refuse row by row or not at all:
 * missing, empty, an Excel workbook, or not UTF-8 (Excel's plain "CSV" is GBK on Chinese Windows). The rows
 * themselves are the API's to validate.
 */
export async function readManifest(file: string, cwd: string): Promise<Manifest> {
  const path = resolve(cwd, file);
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`Cannot read the manifest ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}.`, { cause: error });
  });
  if (!info.isFile()) throw new CliError(`The manifest ${file} is not a file.`);
  const bytes = await readFile(path);
  if (bytes.length === 0) throw new CliError(`The manifest ${file} is empty.`);
  if (bytes.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1')) || bytes.subarray(0, 4).equals(Buffer.from('d0cf11e0', 'hex'))) {
    throw new CliError(`The manifest ${file} is a spreadsheet workbook, not CSV: save it as "CSV UTF-8 (comma delimited)".`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new CliError(`The manifest ${file} is not UTF-8 (GBK?): save it as "CSV UTF-8", or convert it with iconv -f GBK -t UTF-8.`, {
      cause: error,
    });
  }
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  if (!header.includes(',')) throw new CliError(`The manifest ${file} has no comma-separated header row: is it a CSV file?`);
  return { path, bytes };
}

/**
 * The idempotency key used when none is given: the same manifest with the same options gives the same key, so running
 * the same command again (after a lost connection, say) finds the batch it created instead of creating another.
 */
export function defaultIdempotencyKey(manifest: Manifest, hold: boolean): string {
  const hash = createHash('sha256').update(manifest.bytes).update(hold ? '\0hold' : '\0submit').digest('hex');
  return `manifest-${hash.slice(0, 40)}`;
}
