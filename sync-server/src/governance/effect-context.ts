import type { Db } from '../storage/db.js';
import type { Notifier } from './notifier.js';
import type { JobScheduler, ReminderSettings } from './reminders.js';

/**
 * What effects need: the database (inside the intent's transaction), the clock, notifications,
 * and the job queue (jobs written in the same transaction) with the reminder settings.
 */
export interface EffectContext {
  db: Db;
  now: () => number;
  notifier: Notifier;
  jobs: JobScheduler;
  reminders: ReminderSettings;
}
