import { Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { ServiceError } from '../errors.js';

/**
 * Who may see what, in one place. Everybody reads and writes their own jobs, models and deployments.
 * Members of the admin group (`--admin-group`) may also list and read everyone's, by naming an owner
 * (`?owner=alice`) or, in listings, everyone (`?owner=*`); writes (submit, cancel, deploy, delete) always
 * act on the caller's own, whoever calls. Routes never compare users themselves: they ask here.
 */

/** Every owner, in a listing. */
export const ALL_OWNERS = '*';

/** The `owner` query parameter of a route that reads one thing. */
export const OwnerParam = Type.Optional(
  Type.String({
    minLength: 1,
    maxLength: 256,
    description: "whose (admins only, for another user's); the caller's own when absent"
  })
);

/** The `owner` query parameter of a listing. */
export const ListOwnerParam = Type.Optional(
  Type.String({
    minLength: 1,
    maxLength: 256,
    description: "whose (admins only, for another user's, or `*` for everyone's; each item names its owner); the caller's own when absent"
  })
);

function refuse(): never {
  // Refused before anything is looked up: the answer says nothing about the other user's data.
  throw new ServiceError('permission_denied', "only members of the admin group may read other users' jobs, models and deployments", 'owner');
}

/** The owner whose item `request` may read: `owner` when the caller may read theirs, the caller's own when absent. */
export function readableOwner(request: FastifyRequest, owner: string | undefined): string {
  if (owner === undefined || owner === request.caller.user) {
    return request.caller.user;
  }
  if (owner === ALL_OWNERS) {
    throw new ServiceError('invalid_argument', 'owner * names everyone: only listings take it', 'owner');
  }
  return request.caller.admin ? owner : refuse();
}

/** The owner a listing shows: one user, or undefined for everyone (admins, `owner=*`). */
export function listableOwner(request: FastifyRequest, owner: string | undefined): string | undefined {
  if (owner === ALL_OWNERS) {
    return request.caller.admin ? undefined : refuse();
  }
  return readableOwner(request, owner);
}
