// Edge validation of a Plan's JavaScript shape: types, integer dims, data arrays of the right class
// and length, op and attribute names. Op semantics (shapes that must agree, qparam ranges) are
// checked once, in C++, for the native and WASM backends alike.
import { invalid, withArticle } from '../errors';
import { DTYPES, type Plan, type PlanTypedArray, type PlanValue } from './types';

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

function checkId(id: unknown, what: string, count: number, allowNull = false): void {
  if (allowNull && id === null) return;
  if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= count)
    throw invalid(what, `a value id in [0, ${count - 1}]${allowNull ? ' or null' : ''}`, id);
}

function checkValue(v: PlanValue, i: number): void {
  const what = `plan.values[${i}]`;
  if (!v || typeof v !== 'object') throw invalid(what, 'an object', v);
  if (!(v.dtype in DTYPES)) throw invalid(`${what}.dtype`, `one of ${Object.keys(DTYPES).join(', ')}`, v.dtype);
  if (!Array.isArray(v.shape) || v.shape.length > 8) throw invalid(`${what}.shape`, 'an array of at most 8 dims', v.shape);
  v.shape.forEach((d, j) => {
    if (!Number.isSafeInteger(d) || d < 0) throw invalid(`${what}.shape[${j}]`, 'an integer >= 0', d);
  });
  if (v.data !== undefined) {
    const Expected = DTYPES[v.dtype].array;
    if (!(v.data instanceof Expected)) throw invalid(`${what}.data`, withArticle(Expected.name), v.data);
    const n = elementCount(v.shape);
    if (v.data.length !== n) throw invalid(`${what}.data`, `${n} elements for shape [${v.shape}]`, v.data);
  }
}

/**
 * Checks the JavaScript shape of a plan before it is encoded: value dtypes and shapes, constant
 * data lengths, op value ids in range, attribute kinds. Each op's own rules (shapes that agree,
 * qparams) are checked by the backend when the plan is created.
 * @param plan The plan to check.
 * @throws {@link InvalidArgumentError} naming the first malformed field, what was expected and what was received.
 */
export function validatePlan(plan: Plan): void {
  if (!plan || typeof plan !== 'object') throw invalid('plan', 'an object with values, ops, inputs, outputs', plan);
  for (const key of ['values', 'ops', 'inputs', 'outputs'] as const)
    if (!Array.isArray(plan[key])) throw invalid(`plan.${key}`, 'an array', plan[key]);
  plan.values.forEach(checkValue);
  const n = plan.values.length;
  plan.inputs.forEach((id, i) => checkId(id, `plan.inputs[${i}]`, n));
  plan.outputs.forEach((id, i) => checkId(id, `plan.outputs[${i}]`, n));
  plan.ops.forEach((op, o) => {
    const what = `plan.ops[${o}]`;
    if (typeof op?.op !== 'string' || !op.op) throw invalid(`${what}.op`, 'an op type name', op?.op);
    if (!Array.isArray(op.inputs)) throw invalid(`${what}.inputs`, 'an array', op.inputs);
    if (!Array.isArray(op.outputs)) throw invalid(`${what}.outputs`, 'an array', op.outputs);
    op.inputs.forEach((id, i) => checkId(id, `${what}.inputs[${i}]`, n, true));
    op.outputs.forEach((id, i) => checkId(id, `${what}.outputs[${i}]`, n));
    for (const [name, value] of Object.entries(op.attrs ?? {})) {
      const ok =
        typeof value === 'string' ||
        (typeof value === 'number' && Number.isFinite(value)) ||
        ((Array.isArray(value) || value instanceof Float32Array) && Array.from(value as number[]).every(Number.isFinite));
      if (!ok) throw invalid(`${what}.attrs.${name}`, 'a finite number, an array of finite numbers, or a string', value);
    }
  });
}

/** Checks run() inputs against the plan's input values: count, typed array class, length. */
export function validateInputs(plan: Plan, inputs: readonly unknown[]): PlanTypedArray[] {
  if (!Array.isArray(inputs)) throw invalid('inputs', `an array of ${plan.inputs.length} typed arrays`, inputs);
  if (inputs.length !== plan.inputs.length)
    throw invalid('inputs', `an array of ${plan.inputs.length} typed arrays`, inputs);
  return inputs.map((input, i) => {
    const v = plan.values[plan.inputs[i]];
    const Expected = DTYPES[v.dtype].array;
    const n = elementCount(v.shape);
    if (!(input instanceof Expected) || input.length !== n)
      throw invalid(`inputs[${i}]`, `${withArticle(Expected.name)} of ${n} elements (shape [${v.shape}])`, input);
    return input;
  });
}
