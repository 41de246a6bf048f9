// y-websocket's typings name the DOM's CloseEvent, which Node's typings do not declare.
declare global {
  interface CloseEvent extends Event {
    readonly code: number;
    readonly reason: string;
    readonly wasClean: boolean;
  }
}
export {};
