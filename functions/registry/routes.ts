import { REGISTRY_SEGMENTS } from '../../shared/domain/distribution';

/**
 * The native registries' routes: everything under `/{owner}/{repo}/{segment}/` that CloudFront's
 * viewer-request function sends to the API origin (writes, and the few reads that cannot be static). One
 * greedy route per registry; the protocol module routes within it. Dependency-free.
 */
export const REGISTRY_ROUTES = REGISTRY_SEGMENTS.map((s) => `ANY /{owner}/{repo}/${s}/{proxy+}`);
