import { readFileSync } from 'node:fs';
import { z } from 'zod';

const Price = z.object({ usd: z.number().nonnegative(), per: z.number().positive(), unit: z.string(), source: z.string() });
const Assumption = z.object({ value: z.number().nonnegative(), why: z.string() });

const PRICE_NAMES = [
  'stepFunctionsStandardTransition',
  'stepFunctionsExpressRequest',
  'stepFunctionsExpressGbSecond',
  'lambdaRequest',
  'lambdaArmGbSecond',
  'lambdaX86GbSecond',
  'dynamodbWriteRequestUnit',
  'dynamodbReadRequestUnit',
  'dynamodbStorageGbMonth',
  'dynamodbPitrGbMonth',
  'httpApiRequest',
  's3PutRequest',
  's3GetRequest',
  's3StandardGbMonth',
  'logsIngestionGb',
  'logsStorageGbMonth',
  'xrayTraceRecorded',
  'dataTransferOutGb',
] as const;

const ASSUMPTION_NAMES = ['lambdaPlatformLogBytesPerInvocation', 'logEventOverheadBytes', 'xraySampledShare', 'refusedWriteUnits'] as const;

/** The price list: one data file per region, with the date it was checked and where each figure comes from. */
export const PriceList = z.object({
  region: z.string(),
  currency: z.literal('USD'),
  checked: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  howChecked: z.string(),
  prices: z.object(Object.fromEntries(PRICE_NAMES.map((n) => [n, Price])) as Record<(typeof PRICE_NAMES)[number], typeof Price>),
  assumptions: z.object(
    Object.fromEntries(ASSUMPTION_NAMES.map((n) => [n, Assumption])) as Record<(typeof ASSUMPTION_NAMES)[number], typeof Assumption>,
  ),
});
export type PriceList = z.infer<typeof PriceList>;
export type PriceName = (typeof PRICE_NAMES)[number];

export const DEFAULT_PRICES = new URL('./prices-us-east-1.json', import.meta.url);

/** Reads and checks a price list (`prices-us-east-1.json` by default). */
export function loadPrices(file: URL | string = DEFAULT_PRICES): PriceList {
  return PriceList.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** The price of `quantity` units of `name`. */
export function cost(prices: PriceList, name: PriceName, quantity: number): number {
  const price = prices.prices[name];
  return (quantity * price.usd) / price.per;
}
