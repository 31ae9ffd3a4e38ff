import { readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { EvidenceContentType } from '../shared/domain/evidence-matrix.ts';
import { CliError, UsageError } from './errors.ts';

const CONTENT_TYPES: Readonly<Record<string, EvidenceContentType>> = {
  '.pdf': 'application/pdf',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
};

export interface UploadFile {
  bytes: Buffer;
  contentType: EvidenceContentType;
}

/**
 * An evidence file to declare and upload: its type from `--content-type` or its extension (one the API takes), its
 * bytes. Refused before anything is sent when the type cannot be told, or the file is missing or empty.
 */
export async function readUploadFile(file: string, cwd: string, contentType?: string): Promise<UploadFile> {
  const type = contentType ?? CONTENT_TYPES[extname(file).toLowerCase()];
  if (!type) throw new UsageError(`Cannot tell the type of ${file} from its extension: pass --content-type.`);
  const parsed = EvidenceContentType.safeParse(type);
  if (!parsed.success) throw new UsageError(`--content-type takes ${EvidenceContentType.options.join(', ')}, not "${type}".`);
  const path = resolve(cwd, file);
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`Cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}.`, { cause: error });
  });
  if (!info.isFile() || info.size === 0) throw new CliError(`${file} is ${info.isFile() ? 'empty' : 'not a file'}.`);
  return { bytes: await readFile(path), contentType: parsed.data };
}
