/**
 * Bearer-token security: HS256 JWTs verified with `jose`. A token carries `roles` and, for the
 * customer role, the `customerId` it is scoped to.
 */
import type { RequestHandler } from 'express';
import { SignJWT, jwtVerify } from 'jose';
import { TmfError } from './tmf/errors';

export const ROLES = ['admin', 'agent', 'customer', 'technician', 'network'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  subject: string;
  roles: Role[];
  /** Set for the customer role: the only customer whose data it may see. */
  customerId?: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

const ISSUER = 'telco-bss';

function key(secret: string): Uint8Array {
  if (secret.length < 32) throw new Error('JWT secret must be at least 32 characters');
  return new TextEncoder().encode(secret);
}

/** Issues a token (used by the launcher for the development admin token, and by tests). */
export async function signToken(
  secret: string,
  principal: Principal,
  expiresIn: string | number = '30d',
): Promise<string> {
  return new SignJWT({ roles: principal.roles, ...(principal.customerId ? { customerId: principal.customerId } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(principal.subject)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key(secret));
}

const unauthorized = (message: string) => new TmfError(401, 'Unauthorized', message);

/** Verifies the bearer token and puts the principal on the request; 401 otherwise. */
export function authenticate(secret: string): RequestHandler {
  const secretKey = key(secret);
  return async (req, _res, next) => {
    const header = req.get('authorization');
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (!match) return next(unauthorized('missing bearer token'));
    try {
      const { payload } = await jwtVerify(match[1], secretKey, { issuer: ISSUER, algorithms: ['HS256'] });
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is Role => ROLES.includes(r as Role)) : [];
      if (!payload.sub || roles.length === 0) return next(unauthorized('token names no subject or role'));
      const customerId = typeof payload.customerId === 'string' ? payload.customerId : undefined;
      if (roles.includes('customer') && !customerId) return next(unauthorized('customer token without customerId'));
      req.principal = { subject: payload.sub, roles, customerId };
      next();
    } catch (err) {
      next(unauthorized(`invalid token: ${(err as Error).message}`));
    }
  };
}

/** 403 unless the caller holds one of the roles. */
export function requireRole(...allowed: Role[]): RequestHandler {
  return (req, _res, next) => {
    const roles = req.principal?.roles ?? [];
    if (roles.some((r) => allowed.includes(r))) return next();
    next(new TmfError(403, 'Forbidden', `requires one of the roles: ${allowed.join(', ')}`));
  };
}
