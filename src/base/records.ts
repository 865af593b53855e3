/** A JSON object (not null, not an array): the shape check every parser of API and kubeconfig documents starts from. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
