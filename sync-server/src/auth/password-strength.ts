/**
 * Refuses the passwords attackers try first. zxcvbn (the zxcvbn-ts port: maintained, typed, and
 * the estimator most sign-up forms use) with its common-password list, English words and names,
 * keyboard patterns, sequences, repeats and dates, and what the user typed in the other fields.
 */
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

/**
 * Lowest zxcvbn score accepted. Scores 0 and 1 mean fewer than a million guesses: `12345678`,
 * `password`, `password1`, `qwerty123`, `letmein!`, the user's own email or name.
 */
export const MIN_PASSWORD_SCORE = 2;

/**
 * Characters of a password the estimator reads. Its matching grows faster than linearly with
 * length (a random 256-character password took seconds) and runs on the event loop, so only the
 * start is judged; a password that is weak in its first 64 characters is weak.
 */
const ESTIMATED_CHARS = 64;

let estimator: Promise<ZxcvbnFactory> | null = null;

/**
 * Loaded and built on first use, not at start: the dictionaries are megabytes of code to parse and
 * take a few hundred milliseconds to rank, which a server that sees no signup never needs.
 */
function getEstimator(): Promise<ZxcvbnFactory> {
  estimator ??= (async () => {
    const [{ ZxcvbnFactory }, common, en] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ]);
    return new ZxcvbnFactory({
      translations: en.translations,
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...en.dictionary },
      maxLength: ESTIMATED_CHARS,
      // Leetspeak variants multiply the matching work; the common list already holds the usual ones.
      l33tMaxSubstitutions: 0,
    });
  })();
  return estimator;
}

/**
 * Why `password` is too easy to guess, for people, or null when it is strong enough. `context` is
 * what else the user typed (email, name): a password made of it is weak.
 */
export async function passwordWeakness(password: string, context: readonly string[]): Promise<string | null> {
  const result = (await getEstimator()).check(password, [...context]);
  if (result.score >= MIN_PASSWORD_SCORE) return null;
  const { warning, suggestions } = result.feedback;
  return [warning ?? 'This password is easy to guess.', ...suggestions].join(' ');
}
