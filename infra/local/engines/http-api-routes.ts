/** One segment of a route path: `/v1`, `/{id}` or the greedy `/{proxy+}` (last only). */
type Segment = { kind: 'literal'; text: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

/** The more specific a segment, the lower its rank: literal before `{param}` before `{proxy+}`. */
const RANK = { literal: 0, param: 1, greedy: 2 } as const;

interface CompiledRoute<T> {
  routeKey: string;
  /** `ANY` matches every method not routed on its own. */
  method: string;
  segments: Segment[];
  target: T;
}

/** The route chosen for a request and its URL-decoded path parameters. */
export interface RouteMatch<T> {
  routeKey: string;
  target: T;
  pathParameters: Record<string, string>;
}

/** A route key that API Gateway would refuse. */
export class RouteKeyError extends Error {
  constructor(routeKey: string, why: string) {
    super(`route key "${routeKey}": ${why}`);
    this.name = 'RouteKeyError';
  }
}

/**
 * Route selection as API Gateway HTTP APIs do it: the route whose method and path template match, the most specific
 * one winning (path segment by segment: literal over `{param}` over `{proxy+}`; then an exact method over `ANY`), and
 * `$default` when no other route matches.
 */
export class RouteTable<T> {
  private readonly routes: CompiledRoute<T>[];
  private readonly fallback: { routeKey: string; target: T } | undefined;

  constructor(routes: readonly { routeKey: string; target: T }[]) {
    const seen = new Set<string>();
    for (const { routeKey } of routes) {
      if (seen.has(routeKey)) throw new RouteKeyError(routeKey, 'declared twice');
      seen.add(routeKey);
    }
    this.fallback = routes.find((route) => route.routeKey === '$default');
    this.routes = routes
      .filter((route) => route.routeKey !== '$default')
      .map((route) => compile(route.routeKey, route.target))
      .sort(bySpecificity);
  }

  /** The route for a method and a raw (still percent-encoded) path, or undefined for API Gateway's 404. */
  match(method: string, rawPath: string): RouteMatch<T> | undefined {
    const segments = rawPath === '/' ? [] : rawPath.split('/').slice(1).map(decodeSegment);
    for (const route of this.routes) {
      if (route.method !== method && route.method !== 'ANY') continue;
      const pathParameters = matchSegments(route.segments, segments);
      if (pathParameters) return { routeKey: route.routeKey, target: route.target, pathParameters };
    }
    return this.fallback && { ...this.fallback, pathParameters: {} };
  }
}

function compile<T>(routeKey: string, target: T): CompiledRoute<T> {
  const match = /^([A-Z]+) (\/.*)$/.exec(routeKey);
  if (!match) throw new RouteKeyError(routeKey, 'expected "METHOD /path" or "$default"');
  const [, method = '', path = ''] = match;
  const parts = path === '/' ? [] : path.split('/').slice(1);
  const segments = parts.map((part, index): Segment => {
    const variable = /^\{([A-Za-z0-9._-]+)(\+?)\}$/.exec(part);
    if (!variable) {
      if (part === '' || part.includes('{')) throw new RouteKeyError(routeKey, `invalid segment "${part}"`);
      return { kind: 'literal', text: part };
    }
    const [, name = '', greedy] = variable;
    if (greedy && index !== parts.length - 1) throw new RouteKeyError(routeKey, 'a greedy variable must come last');
    return greedy ? { kind: 'greedy', name } : { kind: 'param', name };
  });
  return { routeKey, method, segments, target };
}

function bySpecificity<T>(a: CompiledRoute<T>, b: CompiledRoute<T>): number {
  const length = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < length; i++) {
    const [x, y] = [a.segments[i], b.segments[i]];
    if (!x || !y) return x ? -1 : 1;
    if (RANK[x.kind] !== RANK[y.kind]) return RANK[x.kind] - RANK[y.kind];
  }
  return Number(a.method === 'ANY') - Number(b.method === 'ANY');
}

function matchSegments(template: Segment[], path: string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (const [index, segment] of template.entries()) {
    if (segment.kind === 'greedy') {
      const rest = path.slice(index);
      if (rest.length === 0 || rest.every((part) => part === '')) return undefined;
      parameters[segment.name] = rest.join('/');
      return parameters;
    }
    const part = path[index];
    if (part === undefined || part === '') return undefined;
    if (segment.kind === 'literal' && segment.text !== part) return undefined;
    if (segment.kind === 'param') parameters[segment.name] = part;
  }
  return path.length === template.length ? parameters : undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
