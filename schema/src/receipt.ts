/**
 * Verdict receipts: the server's Ed25519 signature over what it decided about one intent, so that a
 * team can prove later — offline, without trusting the server again — what was decided, when, by
 * which policy, and where it sits in the audit chain. Plain data and pure functions; signing lives
 * in the server, verifying in the client (docs/RECEIPTS.md is the full specification).
 *
 * The signed bytes are the UTF-8 of the payload in canonical JSON (RFC 8785, see
 * `canonical-json.ts`); the signature is Ed25519 (RFC 8032) over exactly those bytes.
 */
import * as z from 'zod/mini';
import { fromBase64url } from './base64url.js';
import { canonicalJsonBytes } from './canonical-json.js';
import type { CheckpointId, IntentId, UserId, WorkspaceId } from './ids.js';
import { idOf, timestampMs } from './intents/common.js';
import type { CheckpointStatus } from './policy/checkpoint-machine.js';
import type { Json, Verdict } from './policy/verdict.js';

/** The payload format; a payload of any other format is not a receipt this code can check. */
export const RECEIPT_FORMAT = 'caucus.receipt.v1';
/** The only signature algorithm of {@link RECEIPT_FORMAT}. */
export const RECEIPT_ALG = 'Ed25519';
/** Bytes of an Ed25519 public key and of a signature. */
export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

/**
 * `verdict`: the answer the intent got when it was adjudicated (what a retry returns again).
 * `outcome`: for an intent that was `awaiting-approval`, how its checkpoint closed — it ran
 * (`accepted`), or it was rejected or could no longer run (`rejected`).
 */
export const RECEIPT_KINDS = ['verdict', 'outcome'] as const;
export type ReceiptKind = (typeof RECEIPT_KINDS)[number];

/**
 * The code of an outcome whose checkpoint was rejected by an approver or withdrawn by its
 * requester (a failed checkpoint's outcome carries the policy's code for why it could not run).
 */
export const CHECKPOINT_REJECTED = 'checkpoint-rejected';

/** How an outcome's checkpoint closed, and who approved it. */
export interface ReceiptCheckpoint {
  id: CheckpointId;
  status: Exclude<CheckpointStatus, 'pending'>;
  /** Whose approval made it run, who rejected it, or whose change made it fail. */
  closedBy: UserId | null;
  /** The distinct approvers, in the order they approved. */
  approvedBy: UserId[];
}

interface PayloadBase {
  format: typeof RECEIPT_FORMAT;
  /** The signing key's id: its RFC 7638 JWK thumbprint (see {@link jwkThumbprintInput}). */
  kid: string;
  /** Null only for a malformed intent that carried no usable id. */
  intentId: IntentId | null;
  /** Whose intent it is (for an outcome: the requester, as whom it ran). */
  actor: UserId;
  /** The intent type (for a malformed intent: what it claimed, cut to 64 characters). */
  type: string;
  workspaceId: WorkspaceId | null;
  /** The intent's arguments as adjudicated (normalized); null for a malformed intent. */
  args: Json;
  /** `POLICY_VERSION` of the policy that ruled. */
  policyVersion: number;
  /** When it was decided, in milliseconds since the epoch. */
  at: number;
  /** The audit event of this verdict (for an outcome: of the intent that closed the checkpoint). */
  audit: { seq: number; hash: string };
}

/** The verdict as signed: rejection codes are kept open, so that an older verifier reads newer codes. */
export type ReceiptVerdict =
  | Exclude<Verdict, { status: 'rejected' }>
  | { status: 'rejected'; code: string; reason: string; remedy: string };

export type ReceiptPayload =
  | (PayloadBase & { kind: 'verdict'; verdict: ReceiptVerdict; checkpoint: null })
  | (PayloadBase & {
      kind: 'outcome';
      verdict: Exclude<ReceiptVerdict, { status: 'awaiting-approval' }>;
      checkpoint: ReceiptCheckpoint;
    });

/** A signed payload. `signature`: base64url (no padding) of the 64-byte Ed25519 signature. */
export interface Receipt {
  payload: ReceiptPayload;
  signature: string;
}

/** A public key as `GET /api/receipts/keys` lists it. */
export interface ReceiptKey {
  kid: string;
  alg: typeof RECEIPT_ALG;
  /** base64url (no padding) of the raw 32-byte Ed25519 public key. */
  publicKey: string;
  createdAt: number;
  /** When it stopped signing (a newer key took over); its receipts stay valid. Null: the signing key. */
  retiredAt: number | null;
}

/** An exported set of receipts with the keys to check them, as `caucus receipts verify` reads it. */
export interface ReceiptSet {
  keys?: ReceiptKey[];
  receipts: unknown[];
}

const base64urlOf = (bytes: number, what: string) =>
  z
    .string()
    .check(z.refine((s) => fromBase64url(s)?.length === bytes, `${what}: base64url of ${bytes} bytes`));

const sha256Hex = z.string().check(z.regex(/^[0-9a-f]{64}$/, 'a sha256 in lower-case hex'));

const base = {
  format: z.literal(RECEIPT_FORMAT),
  kid: z.string().check(z.minLength(1), z.maxLength(128)),
  intentId: z.nullable(idOf<IntentId>()),
  actor: idOf<UserId>(),
  type: z.string().check(z.maxLength(64)),
  workspaceId: z.nullable(idOf<WorkspaceId>()),
  args: z.json(),
  policyVersion: z.int().check(z.minimum(0)),
  at: timestampMs,
  audit: z.strictObject({ seq: z.int().check(z.minimum(1)), hash: sha256Hex }),
};

const accepted = z.strictObject({ status: z.literal('accepted'), result: z.record(z.string(), z.json()) });
const rejected = z.strictObject({
  status: z.literal('rejected'),
  code: z.string().check(z.minLength(1), z.maxLength(64)),
  reason: z.string(),
  remedy: z.string(),
});
const awaiting = z.strictObject({
  status: z.literal('awaiting-approval'),
  checkpointId: idOf<CheckpointId>(),
});

/** A receipt payload, strictly: an unknown member makes it malformed, not merely unsigned. */
export const receiptPayloadSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    ...base,
    kind: z.literal('verdict'),
    verdict: z.discriminatedUnion('status', [accepted, rejected, awaiting]),
    checkpoint: z.null(),
  }),
  z.strictObject({
    ...base,
    kind: z.literal('outcome'),
    verdict: z.discriminatedUnion('status', [accepted, rejected]),
    checkpoint: z.strictObject({
      id: idOf<CheckpointId>(),
      status: z.enum(['executed', 'failed', 'rejected']),
      closedBy: z.nullable(idOf<UserId>()),
      approvedBy: z.array(idOf<UserId>()),
    }),
  }),
]);

export const receiptSchema = z.strictObject({
  payload: receiptPayloadSchema,
  signature: base64urlOf(ED25519_SIGNATURE_BYTES, 'signature'),
});

export const receiptKeySchema = z.object({
  kid: z.string().check(z.minLength(1), z.maxLength(128)),
  alg: z.literal(RECEIPT_ALG),
  publicKey: base64urlOf(ED25519_PUBLIC_KEY_BYTES, 'publicKey'),
  createdAt: timestampMs,
  retiredAt: z.nullable(timestampMs),
});

/** `GET /api/receipts/keys`. */
export const receiptKeysSchema = z.object({ keys: z.array(receiptKeySchema) });

/**
 * An exported set as read from a file: each receipt and each key is checked on its own (one bad
 * receipt or key spoils only itself), so here they are only required to be lists.
 */
export const receiptSetSchema = z.object({
  keys: z.optional(z.array(z.unknown())),
  receipts: z.array(z.unknown()),
});

/** The bytes the signature covers: the payload, exactly as received, in canonical JSON (UTF-8). */
export function receiptSigningBytes(payload: unknown): Uint8Array {
  return canonicalJsonBytes(payload);
}

/**
 * The text whose sha256 (base64url) is a key's id: the RFC 7638 thumbprint of its JWK, members in
 * that RFC's order. A key id therefore names its public key; no two servers share one.
 */
export function jwkThumbprintInput(publicKey: string): string {
  return `{"crv":"Ed25519","kty":"OKP","x":${JSON.stringify(publicKey)}}`;
}

export type ParsedReceipt = { ok: true; receipt: Receipt } | { ok: false; message: string };

/** Checks a receipt's shape (not its signature); the message names the first issues. */
export function parseReceipt(value: unknown): ParsedReceipt {
  const parsed = receiptSchema.safeParse(value);
  if (parsed.success) {
    // The schema's output is the hand-written type (checked here by the compiler).
    const receipt: Receipt = parsed.data;
    return { ok: true, receipt };
  }
  const message = parsed.error.issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
  return { ok: false, message };
}
