import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildHolidayCalendar, type HolidayCalendar, HolidayDataError } from './holiday-calendar.ts';

/**
 * Reads the holiday calendar from a folder of `<year>.json` files (by default `./data/` next to this module).
 *
 * When this module is bundled (Lambda), `import.meta.url` is the bundle's and esbuild does not bundle files read at
 * run time: `AppFunction` copies the year files to `BUNDLED_HOLIDAY_DATA_DIR` beside the bundle, where the default
 * looks next.
 */

const YEAR_FILE = /^(\d{4})\.json$/;
/** The folder, beside a Lambda bundle's entry, that holds the year files (copied there after bundling). */
export const BUNDLED_HOLIDAY_DATA_DIR = 'holiday-calendar';
const CANDIDATE_DIRS = [
  fileURLToPath(new URL('./data/', import.meta.url)),
  fileURLToPath(new URL(`./${BUNDLED_HOLIDAY_DATA_DIR}/`, import.meta.url)),
];
/** `./data/` beside this module in the repository, `./holiday-calendar/` beside the entry in a bundle. */
export const DEFAULT_HOLIDAY_DATA_DIR = CANDIDATE_DIRS.find((dir) => existsSync(dir)) ?? (CANDIDATE_DIRS[0] as string);

/**
 * Load every `<year>.json` in `directory`.
 * @throws HolidayDataError when a file is unreadable, is not JSON, breaks the format, or its name and year differ.
 */
export function loadHolidayCalendar(directory: string = DEFAULT_HOLIDAY_DATA_DIR): HolidayCalendar {
  const files = readdirSync(directory)
    .filter((name) => YEAR_FILE.test(name))
    .sort()
    .map((name) => {
      const path = join(directory, name);
      let content: unknown;
      try {
        content = JSON.parse(readFileSync(path, 'utf8'));
      } catch (cause) {
        throw new HolidayDataError(`cannot read holiday file ${path}`, { cause });
      }
      const nameYear = Number(YEAR_FILE.exec(name)?.[1]);
      if ((content as { year?: unknown } | null)?.year !== nameYear) {
        throw new HolidayDataError(`${path}: the "year" inside must be ${nameYear}, as in the file name`);
      }
      return content;
    });
  return buildHolidayCalendar(files);
}

let defaultCalendar: HolidayCalendar | undefined;

/** The calendar from the default data folder, read once per process (it is deployment data, not state). */
export function defaultHolidayCalendar(): HolidayCalendar {
  defaultCalendar ??= loadHolidayCalendar();
  return defaultCalendar;
}
