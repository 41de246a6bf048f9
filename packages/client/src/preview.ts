/**
 * `@caucus/client/preview`: the optimistic preview of queued intents with the shared policy
 * (`decide` from @caucus/schema). An entry of its own, like `@caucus/client/receipts`: the outbox
 * imports it on demand when it opens (`Outbox.open`), so a page that only syncs documents never
 * loads the policy code.
 */
export { Overlay, preview, type Optimistic, type Prediction } from './outbox/preview.js';
