import type { Request } from "express";
import { type Caller, userCaller } from "../auth/authenticate";
import { apiError } from "../errors";
import { type AccessService, actorOf, toApiKeyView, toUserView } from "../services/access";
import { type AuditLogArgs, auditLog } from "../services/audit";
import type { GraphQLContext } from "./context";

/** The name of the session cookie (httpOnly, SameSite=Lax, Secure over https). */
export const SESSION_COOKIE = "fxbt_session";

const viewer = (caller: Caller) => ({
  kind: caller.kind,
  id: caller.id,
  name: caller.name,
  role: caller.role,
  partner: caller.partner,
  mustChangePassword: caller.mustChangePassword,
});

function httpOnly(context: GraphQLContext, what: string): Request {
  if (!context.http) throw apiError("BAD_USER_INPUT", `${what} works over HTTP only: the session lives in a cookie`);
  return context.http.req;
}

/** express-session's callback methods as promises. */
const promised = (run: (done: (error?: unknown) => void) => void) =>
  new Promise<void>((resolve, reject) => run((error) => (error ? reject(error) : resolve())));

async function signIn(_: unknown, args: { email: string; password: string }, context: GraphQLContext) {
  const req = httpOnly(context, "signIn");
  const user = await context.access.signIn(args.email, args.password, context.address);
  // A new session id at sign-in: an id planted before it (session fixation) is worth nothing.
  await promised((done) => req.session.regenerate(done));
  req.session.userId = user.id;
  req.session.signedInAt = Date.now();
  await promised((done) => req.session.save(done));
  return viewer(userCaller(user, req.session.id));
}

async function signOut(_: unknown, __: unknown, context: GraphQLContext) {
  const req = httpOnly(context, "signOut");
  if (context.caller?.kind === "USER") await context.access.signedOut(context.caller, context.address);
  if (req.session) await promised((done) => req.session.destroy(done));
  context.http?.res.clearCookie(SESSION_COOKIE);
  return true;
}

async function changePassword(_: unknown, args: { currentPassword: string; newPassword: string }, context: GraphQLContext) {
  const user = await context.access.changePassword(context.caller!, args.currentPassword, args.newPassword, context.address);
  return viewer(userCaller(user, context.caller!.sessionId));
}

const actor = (context: GraphQLContext) => actorOf(context.caller!, context.address);
const access = (context: GraphQLContext): AccessService => context.access;

export const accessResolvers = {
  Query: {
    me: (_: unknown, __: unknown, context: GraphQLContext) => (context.caller ? viewer(context.caller) : null),
    users: async (_: unknown, __: unknown, context: GraphQLContext) => (await access(context).listUsers()).map(toUserView),
    apiKeys: async (_: unknown, __: unknown, context: GraphQLContext) => (await access(context).listApiKeys()).map(toApiKeyView),
    auditLog: (_: unknown, args: AuditLogArgs, context: GraphQLContext) => auditLog(context.database, args),
  },
  Mutation: {
    signIn,
    signOut,
    changePassword,
    createUser: async (_: unknown, { input }: { input: Parameters<AccessService["createUser"]>[1] }, context: GraphQLContext) => {
      const { user, oneTimePassword } = await access(context).createUser(actor(context), input);
      return { user: toUserView(user), oneTimePassword };
    },
    updateUser: async (_: unknown, { input }: { input: Parameters<AccessService["updateUser"]>[1] }, context: GraphQLContext) =>
      toUserView(await access(context).updateUser(actor(context), input)),
    resetPassword: async (_: unknown, { id }: { id: string }, context: GraphQLContext) => {
      const { user, oneTimePassword } = await access(context).resetPassword(actor(context), id);
      return { user: toUserView(user), oneTimePassword };
    },
    createApiKey: async (_: unknown, { input }: { input: Parameters<AccessService["createApiKey"]>[1] }, context: GraphQLContext) => {
      const { apiKey, key } = await access(context).createApiKey(actor(context), input);
      return { apiKey: toApiKeyView(apiKey), key };
    },
    revokeApiKey: async (_: unknown, { id }: { id: string }, context: GraphQLContext) =>
      toApiKeyView(await access(context).revokeApiKey(actor(context), id)),
  },
};
