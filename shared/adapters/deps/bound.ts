const bindings = new Set<() => void>();

/**
 * `build` run once per process, on first use, and its result kept: in Lambda that is module scope, so warm invocations
 * reuse the SDK clients and adapters. `unbindAll()` forgets every result, so the next use builds again from the
 * environment of that moment.
 */
export function bound<T>(build: () => T): () => T {
  let value: { built: T } | undefined;
  bindings.add(() => {
    value = undefined;
  });
  return () => {
    value ??= { built: build() };
    return value.built;
  };
}

/** Forget every bound client and adapter (the local runtime after pointing the environment at its engines; tests). */
export function unbindAll(): void {
  for (const forget of bindings) forget();
}

type AllOf<U> = (U extends unknown ? (all: U) => void : never) extends (all: infer I) => void ? I : never;

/**
 * The dependencies of several factories as one object, built once (and again after `unbindAll()`), for a handler
 * whose use case needs more than the table: `compose(tableDeps, workflowDeps)`.
 */
export function compose<F extends (() => object)[]>(...factories: F): () => AllOf<ReturnType<F[number]>> {
  return bound(() => Object.assign({}, ...factories.map((factory) => factory())));
}
