/**
 * Finalizer names as the API server validates them (apimachinery's
 * ValidateFinalizerName): a qualified name, `[PREFIX/]NAME` with PREFIX a
 * DNS-1123 subdomain of at most 253 characters and NAME at most 63
 * characters of letters, digits, `-`, `_` and `.`, alphanumeric at both ends
 * (the rule label keys follow). A name without a `/` is valid, but the API
 * server answers it with a warning ("prefer a domain-qualified finalizer
 * name"): cmwatch warns too.
 */
import { keyError } from './label-selector.js';

/** Why `name` is not a valid finalizer name, or undefined. */
export function finalizerNameError(name: string): string | undefined {
  if (name === '') return 'empty';
  if (name.split('/').length > 2) return 'more than one "/"';
  const e = keyError(name);
  return e === undefined ? undefined : e.replace(/^key "[^"]*": /, '');
}

/** True for a valid name that the API server would warn about (no domain prefix). */
export function finalizerNameUnqualified(name: string): boolean {
  return !name.includes('/');
}

export const FINALIZER_NAME_RULE = 'a finalizer is a qualified name, DOMAIN/NAME, e.g. example.com/cleanup (NAME: at most 63 letters, digits, "-", "_" or ".", alphanumeric at both ends)';
