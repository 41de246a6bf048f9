import { createContext, useContext } from 'solid-js';
import type { AppSession } from './session';

export const SessionContext = createContext<AppSession>();

export function useSession(): AppSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in screen');
  return session;
}
