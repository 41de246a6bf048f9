import type { Db } from '../storage/db.js';
import type { Notifier } from './notifier.js';

/** What effects need: the database (inside the intent's transaction), the clock, notifications. */
export interface EffectContext {
  db: Db;
  now: () => number;
  notifier: Notifier;
}
