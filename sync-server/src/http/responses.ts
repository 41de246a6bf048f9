/**
 * What every answer of the HTTP API shares: the error body, times and ids. Each route's own answers
 * sit next to it (`routes/*-schemas.ts`, `uploads/file-schemas.ts`); the read model's are exact
 * (strict objects), the others describe the fields clients rely on and allow more.
 */
import { z } from 'zod';
import { API_ERRORS, type ApiErrorCode } from '@caucus/schema';

export const time = z.number().describe('milliseconds since the epoch');
export const id = z.string();

export const errorBodySchema = z
  .strictObject({
    error: z.strictObject({
      code: z.enum(Object.keys(API_ERRORS) as [ApiErrorCode, ...ApiErrorCode[]]),
      message: z.string(),
    }),
  })
  .meta({ id: 'Error' });
