// One normal form for email addresses, so uniqueness and lookups agree.
import { badInput } from '../errors/app-error';

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;

export function normalizeEmail(raw: string): string {
  const email = raw.trim().normalize('NFC').toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) throw badInput('email', 'Email address is not valid');
  return email;
}
