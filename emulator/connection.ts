import type { DatabaseBackend } from "./databaseBackend";
import type { EndpointRecord, ProjectRecord } from "./model";

/** `aws-us-east-2` -> `us-east-2.aws.neon.tech`, the proxy domain Neon serves a region's computes under. */
export function proxyHost(regionId: string): string {
  const dash = regionId.indexOf("-");
  return `${regionId.slice(dash + 1)}.${regionId.slice(0, dash)}.neon.tech`;
}

/** The compute host of an endpoint; the pooler host inserts `-pooler` after the endpoint id. */
export function endpointHost(regionId: string, endpointId: string, pooled = false): string {
  return `${endpointId}${pooled ? "-pooler" : ""}.${proxyHost(regionId)}`;
}

/** What a connection string needs besides the endpoint. */
export interface Credentials {
  roleName: string;
  databaseName: string;
  password: string;
}

/**
 * The connection string of a database through an endpoint. Without a backend it only looks like Neon's;
 * with one it reaches the branch's real local database (plain TCP: the local server speaks no TLS).
 */
export function connectionUri(
  project: ProjectRecord,
  endpoint: EndpointRecord,
  credentials: Credentials,
  pooled: boolean,
  backend?: DatabaseBackend,
): string {
  const user = `${encodeURIComponent(credentials.roleName)}:${encodeURIComponent(credentials.password)}`;
  const database = encodeURIComponent(credentials.databaseName);
  if (backend) {
    const { host, port } = backend.address(project.id, endpoint.branchId);
    return `postgresql://${user}@${host}:${port}/${database}?sslmode=disable`;
  }
  return `postgresql://${user}@${endpointHost(project.regionId, endpoint.id, pooled)}/${database}?sslmode=require`;
}
