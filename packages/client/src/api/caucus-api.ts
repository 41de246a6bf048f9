/**
 * The Caucus HTTP API as typed calls (docs/API.md), every one answering an {@link ApiResult}.
 * Changes to governed state go through intents (`submitIntents`; the outbox queues and retries
 * them); the REST shortcuts that are intents underneath are left out on purpose.
 */
import { FILES_PATH } from '@caucus/schema';
import type {
  ApiTokenId,
  CheckpointId,
  DecisionId,
  IntentInput,
  ThreadId,
  UploadId,
  UserId,
  WorkspaceId,
} from '@caucus/schema';
import type { TokenSource } from '../auth/token-source.js';
import { Http, type HttpOptions } from './http.js';
import type { ApiResult } from './result.js';
import { dashboardShape } from './dashboard-shape.js';
import {
  adminJobsShape,
  checkpointShape,
  currentNoticesShape,
  decisionPageShape,
  decisionShape,
  fileInfoShape,
  fileListShape,
  inboxShape,
  intentResultsShape,
  jobShape,
  meShape,
  newTokenShape,
  noticeListShape,
  noticeShape,
  threadDetailShape,
  threadPageShape,
  tokenListShape,
  workspaceDetailShape,
  workspaceListShape,
  workspaceShape,
} from './shapes.js';

/** What `POST /api/admin/notices` takes (times in ms since the epoch). */
export interface NewNotice {
  kind?: 'info' | 'warning' | 'error';
  title: string;
  body: string;
  workspaceId?: string;
  startsAt?: number;
  endsAt?: number;
}

export interface ThreadQuery {
  workspaceId?: WorkspaceId | string;
  status?: 'active' | 'archived';
  q?: string;
  cursor?: string;
  limit?: number;
}

export interface DecisionQuery {
  workspaceId: WorkspaceId | string;
  status?: 'open' | 'resolved' | 'deferred';
  limit?: number;
  cursor?: string;
}

export class CaucusApi {
  readonly http: Http;

  constructor(options: HttpOptions | Http) {
    this.http = options instanceof Http ? options : new Http(options);
  }

  withAuth(auth: TokenSource | null): CaucusApi {
    return new CaucusApi(this.http.withAuth(auth));
  }

  me() {
    return this.http.get('/api/me', { schema: meShape });
  }

  /** User `userId`'s 300×300 avatar image: the caller's own or a workspace fellow's; `not-found` without one. */
  avatar(userId: UserId | string): Promise<ApiResult<Blob>> {
    return this.http.get<Blob>(`/api/users/${encodeURIComponent(userId)}/avatar`, { blob: true });
  }

  /** Removes the caller's avatar (uploading one is `createUpload({ purpose: 'avatar', … })`). */
  removeAvatar(): Promise<ApiResult<void>> {
    return this.http.delete('/api/me/avatar');
  }

  createToken(name: string, expiresInDays?: number) {
    return this.http.post('/api/tokens', {
      body: { name, ...(expiresInDays !== undefined ? { expiresInDays } : {}) },
      schema: newTokenShape,
    });
  }

  listTokens() {
    return this.http.get('/api/tokens', { schema: tokenListShape });
  }

  revokeToken(id: ApiTokenId | string): Promise<ApiResult<void>> {
    return this.http.delete(`/api/tokens/${encodeURIComponent(id)}`);
  }

  workspaces() {
    return this.http.get('/api/workspaces', { schema: workspaceListShape });
  }

  createWorkspace(name: string) {
    return this.http.post('/api/workspaces', { body: { name }, schema: workspaceShape });
  }

  workspace(id: WorkspaceId | string) {
    return this.http.get(`/api/workspaces/${encodeURIComponent(id)}`, { schema: workspaceDetailShape });
  }

  threads(query: ThreadQuery = {}) {
    return this.http.get('/api/threads', { query: { ...query }, schema: threadPageShape });
  }

  thread(id: ThreadId | string) {
    return this.http.get(`/api/threads/${encodeURIComponent(id)}`, { schema: threadDetailShape });
  }

  decisions(query: DecisionQuery) {
    return this.http.get('/api/decisions', { query: { ...query }, schema: decisionPageShape });
  }

  decision(id: DecisionId | string) {
    return this.http.get(`/api/decisions/${encodeURIComponent(id)}`, { schema: decisionShape });
  }

  checkpoint(id: CheckpointId | string) {
    return this.http.get(`/api/checkpoints/${encodeURIComponent(id)}`, { schema: checkpointShape });
  }

  inbox(options: { unread?: boolean; limit?: number } = {}) {
    return this.http.get('/api/inbox', {
      query: { unread: options.unread ? 1 : undefined, limit: options.limit },
      schema: inboxShape,
    });
  }

  files(threadId: ThreadId | string) {
    return this.http.get('/api/files', { query: { threadId }, schema: fileListShape });
  }

  file(id: UploadId | string) {
    return this.http.get(`/api/files/${encodeURIComponent(id)}`, { schema: fileInfoShape });
  }

  /** A finished file's bytes (`GET /files/<id>`), for a download the browser cannot make with a token. */
  fileBytes(id: UploadId | string): Promise<ApiResult<Blob>> {
    return this.http.get<Blob>(`${FILES_PATH}/${encodeURIComponent(id)}`, { blob: true });
  }

  /** An image's thumbnail (`GET /files/<id>/thumbnail`); `not-found` for types that have none. */
  thumbnail(id: UploadId | string): Promise<ApiResult<Blob>> {
    return this.http.get<Blob>(`${FILES_PATH}/${encodeURIComponent(id)}/thumbnail`, { blob: true });
  }

  /** A workspace's counts at a glance: threads, decisions by status and age, checkpoints, files. */
  dashboard(workspaceId: WorkspaceId | string) {
    return this.http.get('/api/dashboard', { query: { workspaceId }, schema: dashboardShape });
  }

  /** The instance's job queue: counts per queue and state, recent failures (instance admins). */
  adminJobs() {
    return this.http.get('/api/admin/jobs', { schema: adminJobsShape });
  }

  /** Runs a dead job again, or gives it up (instance admins). */
  mendJob(id: number, action: 'retry' | 'discard') {
    return this.http.post(`/api/admin/jobs/${encodeURIComponent(String(id))}/${action}`, {
      schema: jobShape,
    });
  }

  /** Posts a system notice to every user or one workspace (instance admins). */
  postNotice(notice: NewNotice) {
    return this.http.post('/api/admin/notices', { body: notice, schema: noticeShape });
  }

  /** Every system notice, newest first (instance admins). */
  notices() {
    return this.http.get('/api/admin/notices', { schema: noticeListShape });
  }

  /** Withdraws a notice: no banner, and no notification if it has not gone out (instance admins). */
  withdrawNotice(id: string) {
    return this.http.delete(`/api/admin/notices/${encodeURIComponent(id)}`, { schema: noticeShape });
  }

  /** The notices current now for the caller (what the PWA's banner shows). */
  currentNotices() {
    return this.http.get('/api/notices', { schema: currentNoticesShape });
  }

  /** Adjudicated in order, one verdict each (1 to 100 intents: `MAX_INTENTS_PER_BATCH`). */
  submitIntents(intents: readonly IntentInput[]) {
    return this.http.post('/api/intents', { body: { intents }, schema: intentResultsShape });
  }
}
