import { z } from 'zod';
import type { AuthService } from '../../auth/auth-service.js';
import type { AuthThrottle } from '../../auth/throttle.js';
import type { InvitationService } from '../../governance/invitation-service.js';
import { clientAddress } from '../client-address.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { answer, jsonRequest, mount, openApiApp, routesOf } from '../openapi-route.js';
import { signupSchema } from './auth.js';
import { authSessionSchema } from './auth-schemas.js';
import { acceptedInvitationSchema, invitationSchema } from './workspace-schemas.js';

/** Tokens travel in bodies, never in URLs: paths are logged, and URLs leak through Referer. */
const tokenField = z.string().min(1).max(128);

export const invitationTokenSchema = z.object({ token: tokenField });
export const invitationSignupSchema = signupSchema.omit({ email: true }).extend({ token: tokenField });

const withToken = { body: jsonRequest(invitationTokenSchema) };

const route = routesOf('invitations', 'public');
const authedRoute = routesOf('invitations');

const lookupRoute = route(
  'post',
  '/lookup',
  'What an invitation token is for (404 unknown, 410 answered, replaced or expired)',
  { request: withToken, responses: { 200: answer(invitationSchema) } },
);
const acceptRoute = authedRoute(
  'post',
  '/accept',
  'Accept an invitation, signed in as the invited address (403 for another account)',
  { request: withToken, responses: { 200: answer(acceptedInvitationSchema) } },
);
const declineRoute = route('post', '/decline', 'Decline an invitation (the token is enough)', {
  request: withToken,
  responses: { 204: { description: 'declined' } },
});
const signupRoute = route(
  'post',
  '/signup',
  'Create an account through an invitation: the address is the invitation’s, proven by the token',
  { request: { body: jsonRequest(invitationSignupSchema) }, responses: { 201: answer(authSessionSchema) } },
);

/**
 * `/api/invitations`: the invitee's side. Look up and decline with the token alone (an invitee may
 * have no account), accept while signed in as the invited address, or sign up through the
 * invitation — which proves the address and joins at once.
 */
export function invitationRoutes({
  auth,
  invitations,
  throttle,
}: {
  auth: AuthService;
  invitations: InvitationService;
  throttle: AuthThrottle;
}) {
  const app = openApiApp<AuthedEnv>();
  mount(app, lookupRoute, async (c) => c.json(await invitations.lookup(c.req.valid('json').token), 200));
  app.use('/accept', requireAuth(auth));
  mount(app, acceptRoute, async (c) => {
    const { userId, email } = c.get('principal');
    return c.json(await invitations.accept(c.req.valid('json').token, { id: userId, email }), 200);
  });
  mount(app, declineRoute, async (c) => {
    await invitations.decline(c.req.valid('json').token);
    return c.body(null, 204);
  });
  mount(app, signupRoute, async (c) => {
    const { token, password, name } = c.req.valid('json');
    const { email } = await invitations.lookup(token);
    const pass = throttle.admit('signup', { account: email, address: clientAddress(c) });
    const session = await auth.signup(
      { email, password, name },
      { emailVerified: true, within: invitations.acceptAtSignup(token) },
    );
    pass.succeeded();
    return c.json(session, 201);
  });
  return app;
}
