import { describe, expect, it } from 'vitest';
import { routeInputs } from '../../../fuzz/routes.ts';
import { HTTP_ROUTES } from '../../../infra/stacks/catalog.ts';

describe('routeInputs', () => {
  it('describes every route of the catalogue', () => {
    // Act
    const inputs = routeInputs(HTTP_ROUTES);

    // Assess
    expect(inputs.map((i) => i.routeKey)).toEqual(HTTP_ROUTES.map((r) => r.routeKey));
  });

  it('refuses a catalogue with a route it does not describe, so that no route goes unfuzzed', () => {
    // Prepare
    const routes = [...HTTP_ROUTES, { routeKey: 'DELETE /v1/applications/{id}' as const }];

    // Act
    const act = () => routeInputs(routes);

    // Assess
    expect(act).toThrow('missing DELETE /v1/applications/{id}');
  });
});
