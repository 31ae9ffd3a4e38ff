/**
 * `Promise.withResolvers` for Node 20.
 *
 * aws-local-stepfunctions 3.0.0 calls it in every Task state, and it only exists from Node 22; without it every Task
 * fails with a TypeError. Import this module (for its side effect) before the library runs a state machine.
 */

interface WithResolvers {
  withResolvers?: <T>() => { promise: Promise<T>; resolve: (value: T) => void; reject: (reason?: unknown) => void };
}

const promiseConstructor = Promise as unknown as WithResolvers;

if (typeof promiseConstructor.withResolvers !== 'function') {
  promiseConstructor.withResolvers = <T>() => {
    let resolve!: (value: T) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
