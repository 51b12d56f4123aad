// PlanSession.memory(): the bytes a plan holds, on every backend, against figures worked out by hand
// from the plan (values that live at once share no memory; each op keeps its own copy of a constant).
import { describe, expect, it } from 'vitest';
import { PlanSession, ReleasedError, type Plan } from '../src';
import { totalPlanMemory } from '../src/runtime/plan-session';

const targets = ['native', 'wasm'];

/** x -> Add(x, b) = t -> Relu(t) = u -> Add(u, b) = y, all f32 [4, 16] (256 bytes), b f32 [16] (64 bytes). */
function chain(): Plan {
  const v = { dtype: 'float32' as const, shape: [4, 16] };
  return {
    values: [v, { dtype: 'float32', shape: [16], data: new Float32Array(16).fill(1) }, v, v, v],
    ops: [
      { op: 'Add', inputs: [0, 1], outputs: [2] },
      { op: 'Relu', inputs: [2], outputs: [3] },
      { op: 'Add', inputs: [3, 1], outputs: [4] },
    ],
    inputs: [0],
    outputs: [4],
  };
}

describe.each(targets)('%s', (backend) => {
  it('reports the arena of the intermediates and each op\'s copy of its constants', async () => {
    const s = await PlanSession.create(chain(), { backend });
    try {
      const m = s.memory();
      // t and u: Relu's output never shares memory with its input, so the arena holds both; the plan
      // inputs and outputs live in the caller's buffers.
      expect(m.arenaBytes).toBeGreaterThanOrEqual(512);
      expect(m.arenaBytes).toBeLessThanOrEqual(512 + 128); // alignment padding at most
      // Both Adds keep b (64 bytes each).
      expect(m.weightBytes).toBe(128);
      expect(m.workspaceBytes).toBeGreaterThanOrEqual(0);
      // The report does not change with runs (the arena is planned once).
      const y = (await s.run([new Float32Array(64).fill(-3)]))[0] as Float32Array;
      expect(y[0]).toBe(1); // relu(-3 + 1) + 1: the plan ran
      expect(s.memory()).toEqual(m);
      expect(totalPlanMemory([s, undefined, s])).toEqual({ arenaBytes: 2 * m.arenaBytes, workspaceBytes: 2 * m.workspaceBytes, weightBytes: 256 });
    } finally {
      s.release();
    }
    expect(() => s.memory()).toThrow(ReleasedError);
  });

  it('a plan with no intermediates has an empty arena', async () => {
    const v = { dtype: 'float32' as const, shape: [8] };
    const s = await PlanSession.create({ values: [v, v], ops: [{ op: 'Relu', inputs: [0], outputs: [1] }], inputs: [0], outputs: [1] }, { backend });
    try {
      expect(s.memory()).toEqual({ arenaBytes: 0, workspaceBytes: s.memory().workspaceBytes, weightBytes: 0 });
    } finally {
      s.release();
    }
  });
});

it('onPlanCreated must be a function', async () => {
  await expect(PlanSession.create(chain(), { onPlanCreated: 3 as never })).rejects.toThrow(/Expected a function for options.onPlanCreated/);
});
