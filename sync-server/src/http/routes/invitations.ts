import { Hono } from 'hono';
import { z } from 'zod';
import type { AuthService } from '../../auth/auth-service.js';
import type { AuthThrottle } from '../../auth/throttle.js';
import type { InvitationService } from '../../governance/invitation-service.js';
import { clientAddress } from '../client-address.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { jsonBody } from '../validate.js';
import { signupSchema } from './auth.js';

/** Tokens travel in bodies, never in URLs: paths are logged, and URLs leak through Referer. */
const tokenField = z.string().min(1).max(128);

export const invitationTokenSchema = z.object({ token: tokenField });
export const invitationSignupSchema = signupSchema.omit({ email: true }).extend({ token: tokenField });

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
  return new Hono<AuthedEnv>()
    .post('/lookup', async (c) => {
      const { token } = await jsonBody(c, invitationTokenSchema);
      return c.json(await invitations.lookup(token));
    })
    .post('/accept', requireAuth(auth), async (c) => {
      const { token } = await jsonBody(c, invitationTokenSchema);
      const { userId, email } = c.get('principal');
      return c.json(await invitations.accept(token, { id: userId, email }));
    })
    .post('/decline', async (c) => {
      const { token } = await jsonBody(c, invitationTokenSchema);
      await invitations.decline(token);
      return c.body(null, 204);
    })
    .post('/signup', async (c) => {
      const { token, password, name } = await jsonBody(c, invitationSignupSchema);
      const { email } = await invitations.lookup(token);
      const pass = throttle.admit('signup', { account: email, address: clientAddress(c) });
      const session = await auth.signup(
        { email, password, name },
        { emailVerified: true, within: invitations.acceptAtSignup(token) },
      );
      pass.succeeded();
      return c.json(session, 201);
    });
}
