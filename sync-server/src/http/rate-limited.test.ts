import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { rateLimited, retryAfterValue } from './rate-limited.js';

describe('rateLimited', () => {
  it('answers 429 with the error body and Retry-After in whole seconds, rounded up', async () => {
    const app = new Hono().get('/', (c) => rateLimited(c, 2.2, 'too many logins'));
    const res = await app.request('/');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toEqual({ error: { code: 'rate-limited', message: 'too many logins' } });
  });

  it('never asks for less than a second, nor for an unknowable wait', () => {
    expect(retryAfterValue(0)).toBe('1');
    expect(retryAfterValue(0.01)).toBe('1');
    expect(retryAfterValue(Infinity)).toBe('1');
    expect(retryAfterValue(undefined)).toBe('1');
    expect(retryAfterValue(600)).toBe('600');
  });
});
