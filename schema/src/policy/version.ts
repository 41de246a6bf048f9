/**
 * The version of the governance policy (role rules, state machines, checkpoint rules). Every audit
 * event records the version that ruled on it; bump it whenever `decide` would rule differently.
 */
export const POLICY_VERSION = 2;
