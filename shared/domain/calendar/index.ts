/** The China business-day calendar: holiday data per year, business-day arithmetic and review deadlines. */

export * from './business-days.ts';
export * from './china-date.ts';
export * from './holiday-calendar.ts';
export * from './load-holiday-calendar.ts';
export * from './review-deadline.ts';
