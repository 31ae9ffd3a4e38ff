import { createServer } from 'node:net';

/**
 * A TCP port that is free at the moment of the call, for engines that cannot listen on port 0 themselves
 * (DynamoDB Local refuses `-port 0`). Another process may take it before the engine binds it, so callers retry on a
 * bind failure.
 *
 * Probes the wildcard address because that is where DynamoDB Local listens.
 */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not read the probed port'))));
    });
  });
}
