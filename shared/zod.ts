import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * The project's zod: `zod/mini`, whose schemas are functions (`z.optional(z.string().check(z.minLength(1)))`) rather
 * than method chains. Its module and its schemas cost a cold start about half of what classic `zod`'s do, and every
 * function builds a few hundred schemas at import (`npm run bench:cold`). Messages are English, as classic `zod` sets
 * them by default; `zod/mini` leaves the locale to the application, and loading it here covers every schema.
 */
z.config(en());

export * from 'zod/mini';
