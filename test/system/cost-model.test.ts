import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/local/runtime.ts';
import { synthesizeTemplates } from '../../infra/local/synthesize.ts';
import { type Rig, startRig } from '../../bench/cost/drive.ts';
import { COMPONENTS, modelTransitions, pricePath } from '../../bench/cost/model.ts';
import { ENDPOINTS, PATHS } from '../../bench/cost/paths.ts';
import { loadPrices } from '../../bench/cost/prices.ts';
import { readTemplateFacts, type TemplateFacts } from '../../bench/cost/template-facts.ts';

/**
 * The cost model (`npm run cost`) walks the synthesized state machines along its paths; here the same paths run on the
 * local runtime, through the API, and the transitions the local engine executed must be the ones the model predicts,
 * state by state. A change of the workflows or of the code's behaviour that the paths do not describe fails here.
 */
describe('the cost model, checked against a local run', () => {
  let rig: Rig;
  let facts: TemplateFacts;
  const prices = loadPrices();

  beforeAll(async () => {
    facts = readTemplateFacts(await synthesizeTemplates(REPO_ROOT, join(REPO_ROOT, 'node_modules', '.cache', 'icp-cancel')));
    rig = await startRig({ handlers: 'sources' });
  });

  afterAll(async () => {
    await rig?.stop();
  });

  it.each(['happy', 'rejected-once'])('predicts the state transitions the local engine executes on the %s path', async (id) => {
    // Prepare
    const path = PATHS.find((p) => p.id === id);
    if (!path) throw new Error(`No path ${id}`);
    const model = modelTransitions(path, facts);

    // Act
    const run = await rig.run(path);
    const priced = pricePath(run, facts, prices);

    // Assess
    expect([...run.events].sort()).toEqual([...path.events].sort());
    // Every webhook arrived, and from the dispatcher's first attempt: no delivery execution ran.
    expect(run.events).toHaveLength(path.events.length * ENDPOINTS);
    expect(run.usage.executions).toEqual({ [facts.machines.review.name]: 1 });
    expect(Object.keys(run.usage.transitions).sort()).toEqual(Object.keys(model).sort());
    for (const [machine, walk] of Object.entries(model)) {
      expect({ machine, byState: run.usage.transitions[machine] }).toEqual({ machine, byState: walk.byState });
    }
    const components = new Set(priced.lines.filter((l) => l.usd > 0).map((l) => l.component));
    expect(COMPONENTS.filter((c) => !components.has(c))).toEqual([]);
  });
});
