/**
 * A row of the `jobs` table and the {@link Job} it is read as: the one place the SQLite job
 * queue's modules (the store, its leases, its admin view) turn rows into jobs.
 */
import { tables } from '@caucus/schema';
import type { Job, JobPayload } from './job-store.js';

export const { jobs } = tables;

export type JobRow = typeof jobs.$inferSelect;

export function toJob(row: JobRow): Job {
  return { ...row, payload: row.payload as JobPayload };
}
