import { z } from 'zod';

/** Shared zod building blocks for settings read from environment strings. */
export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** A duration given in seconds. */
export const seconds = (min: number, max: number) => int(min, max);

/** A time of day `HH:MM` in Asia/Tokyo. */
export const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour, Asia/Tokyo)');
