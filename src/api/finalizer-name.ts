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

/** Kubernetes' own finalizers (the namespace controller's and the garbage collector's): never cmwatch's. */
const STANDARD = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** Why `name` is not a valid finalizer name for cmwatch, or undefined. */
export function finalizerNameError(name: string): string | undefined {
  if (name === '') return 'empty';
  if (STANDARD.has(name)) return 'a finalizer of Kubernetes itself (the garbage collector\'s or the namespace controller\'s)';
  if (name.split('/').length > 2) return 'more than one "/"';
  const e = keyError(name);
  return e === undefined ? undefined : e.replace(/^key "[^"]*": /, '');
}

/**
 * True for a valid name without a domain prefix. The API server refuses it
 * on the objects of built-in resources ("name is neither a standard
 * finalizer name nor is it fully qualified") and warns on custom resources
 * ("prefer a domain-qualified finalizer name to avoid accidental conflicts
 * with other finalizer writers"); both checked on kube-apiserver 1.36.
 */
export function finalizerNameUnqualified(name: string): boolean {
  return !name.includes('/');
}

/**
 * Whether an API group is Kubernetes' own (its objects get the core
 * ObjectMeta validation): the core group, a group without a dot (apps,
 * batch, policy...), or a *.k8s.io group. A CRD's group has a dot.
 */
export function isBuiltInGroup(group: string): boolean {
  return group === '' || !group.includes('.') || group.endsWith('.k8s.io');
}

export const FINALIZER_NAME_RULE = 'a finalizer is a qualified name, DOMAIN/NAME, e.g. example.com/cleanup (NAME: at most 63 letters, digits, "-", "_" or ".", alphanumeric at both ends)';
