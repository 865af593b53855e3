/**
 * Kubernetes object name rules (apimachinery's validation), written once.
 *
 * - DNS-1123 label: lower-case letters, digits and "-", alphanumeric at both
 *   ends, 1 to 63 characters. Namespaces are labels.
 * - DNS-1123 subdomain: labels joined by ".", 1 to 253 characters in all.
 *   Most object names (ConfigMaps, Leases) are subdomains.
 */

/** The maximum length of a DNS-1123 label (a namespace name). */
export const DNS1123_LABEL_MAX = 63;
/** The maximum length of a DNS-1123 subdomain (most object names). */
export const DNS1123_SUBDOMAIN_MAX = 253;

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** True for a DNS-1123 label, e.g. a namespace: `web`, `kube-system`. */
export function isDns1123Label(s: string): boolean {
  return s.length <= DNS1123_LABEL_MAX && LABEL.test(s);
}

/** True for a DNS-1123 subdomain, e.g. `cmwatch`, `cm.web`, `example.com`. */
export function isDns1123Subdomain(s: string): boolean {
  return s.length > 0 && s.length <= DNS1123_SUBDOMAIN_MAX && s.split('.').every((part) => LABEL.test(part));
}

/** The rule for a namespace, for hints. */
export const NAMESPACE_RULE = 'a namespace is lower-case letters, digits and "-", at most 63 characters';
