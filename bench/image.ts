/**
 * How the container image starts cmwatch (the Dockerfile's ENV and
 * ENTRYPOINT), for the bench's row beside the npm bin's. The image itself
 * runs the Node of its base image; these are its two start-up settings.
 * test/unit/deploy/dockerfile.test.ts checks that the Dockerfile says the same.
 */
/** glibc's malloc with 2 arenas, not up to 8 per core. */
export const IMAGE_ENV = { MALLOC_ARENA_MAX: '2' };
/** node's flags before bin/cmwatch.js in the ENTRYPOINT. */
export const IMAGE_NODE_ARGS = ['--no-concurrent-recompilation'];
/** "as the container image runs it (MALLOC_ARENA_MAX=2, node --no-concurrent-recompilation)", from the two above. */
export const AS_IMAGE = `as the container image runs it (${[...Object.entries(IMAGE_ENV).map(([k, v]) => `${k}=${v}`), `node ${IMAGE_NODE_ARGS.join(' ')}`].join(', ')})`;
export const IMAGE_LABEL = `cmwatch ${AS_IMAGE}`;
