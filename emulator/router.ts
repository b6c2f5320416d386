/** What a handler gets from one request. */
export interface RequestContext {
  /** Path parameters by their OpenAPI names (`project_id`, ...). */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body, or undefined when there was none. */
  body: unknown;
  /** The request's time; every status computed while answering uses this one instant. */
  now: number;
}

/** A body already serialized to JSON, for answers served from a cache. */
export class RawJson {
  constructor(readonly json: string) {}
}

/** A handler's answer: status and JSON body (a value to serialize, or RawJson). */
export interface Reply {
  status: number;
  body: unknown;
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

/** One API route: method and OpenAPI path template (relative to /api/v2), e.g. `/projects/{project_id}`. */
export interface Route {
  method: string;
  template: string;
  handle: Handler;
}

/** A matched route with its path parameters and its stats key (`GET /projects/{project_id}`). */
export interface Match {
  route: Route;
  key: string;
  params: Record<string, string>;
}

interface Node {
  literal: Map<string, Node>;
  param?: { name: string; node: Node };
  /** Per method: the route, its stats key and its parameter names in template order. */
  routes: Map<string, { route: Route; key: string; names: string[] }>;
}

const newNode = (): Node => ({ literal: new Map(), routes: new Map() });

/**
 * A segment trie compiled once from the route table: matching costs one map lookup per path segment,
 * whatever the number of routes.
 */
export class Router {
  private readonly root = newNode();

  constructor(routes: Route[]) {
    for (const route of routes) this.add(route);
  }

  /** The route for `method` and `path` (relative to /api/v2, no query), or undefined. */
  match(method: string, path: string): Match | undefined {
    let node: Node | undefined = this.root;
    const values: string[] = [];
    for (const segment of path.split("/")) {
      if (segment === "") continue;
      const next: Node | undefined = node.literal.get(segment);
      if (next) node = next;
      else if (node.param) {
        values.push(decodeURIComponent(segment));
        node = node.param.node;
      } else return undefined;
    }
    const found = node.routes.get(method);
    if (!found) return undefined;
    // Names come from the matched route's own template: routes sharing a prefix may name a parameter differently
    // (`/organizations/{org_id}` and `/organizations/{source_org_id}/projects/transfer`).
    const params = Object.fromEntries(found.names.map((name, i) => [name, values[i]!]));
    return { route: found.route, key: found.key, params };
  }

  private add(route: Route): void {
    let node = this.root;
    for (const segment of route.template.split("/")) {
      if (segment === "") continue;
      if (segment.startsWith("{")) {
        const name = segment.slice(1, -1);
        node.param ??= { name, node: newNode() };
        node = node.param.node;
      } else {
        const next = node.literal.get(segment) ?? newNode();
        node.literal.set(segment, next);
        node = next;
      }
    }
    const names = [...route.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    node.routes.set(route.method, { route, key: `${route.method} ${route.template}`, names });
  }
}
