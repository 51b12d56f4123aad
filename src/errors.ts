/**
 * Typed errors. Every error int8kit throws is an {@link Int8kitError} with a stable `code`; messages
 * follow one template: what was expected, for what, and what was received.
 */
export class Int8kitError extends Error {
  /**
   * The stable machine-readable code: `INVALID_ARGUMENT`, `INVALID_PLAN`, `INVALID_MODEL`,
   * `INVALID_GRAPH`, `UNSUPPORTED_OP`, `UNSUPPORTED_ISA`, `BACKEND_UNAVAILABLE`, `RELEASED`,
   * `OUT_OF_MEMORY` or `ABORTED` ({@link CalibrationAbortedError}).
   */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A function argument or run input is malformed (wrong type, dtype, shape or length). */
export class InvalidArgumentError extends Int8kitError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/** A plan breaks a rule of the plan format or of one of its ops. */
export class InvalidPlanError extends Int8kitError {
  constructor(message: string) {
    super('INVALID_PLAN', message);
  }
}

/** An ONNX model or tensor file is malformed: bad protobuf, data that disagrees with its dims, missing external data. */
export class InvalidModelError extends Int8kitError {
  constructor(message: string) {
    super('INVALID_MODEL', message);
  }
}

/** No usable backend, or the requested one cannot load here; the message says how to fix it. */
export class BackendUnavailableError extends Int8kitError {
  constructor(message: string) {
    super('BACKEND_UNAVAILABLE', message);
  }
}

/** The requested instruction set is unknown or not supported by this CPU or build. */
export class UnsupportedIsaError extends Int8kitError {
  constructor(message: string) {
    super('UNSUPPORTED_ISA', message);
  }
}

/** The object was released and can no longer be used. */
export class ReleasedError extends Int8kitError {
  constructor(message: string) {
    super('RELEASED', message);
  }
}

/** A backend ran out of memory. */
export class OutOfMemoryError extends Int8kitError {
  constructor(message: string) {
    super('OUT_OF_MEMORY', message);
  }
}

/**
 * Formats a received value for messages: `0.5 of type number`, `Float64Array(3)`, `undefined`.
 * @param value Anything.
 * @returns A short description for an error message.
 * @throws Never: it only formats.
 */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as Uint8Array).length})`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') return `an object of class ${value.constructor?.name ?? 'Object'}`;
  return `${JSON.stringify(value)} of type ${typeof value}`;
}

/**
 * "a Float32Array", "an Int8Array": for messages that name a class.
 * @throws Never: string formatting only.
 */
export function withArticle(name: string): string {
  return `${/^[AEIO]/i.test(name) ? 'an' : 'a'} ${name}`;
}

/**
 * `Expected ${expected} for ${what} but received ${describe(received)}` as an InvalidArgumentError.
 * @param what The argument or field, e.g. `options.threads`.
 * @param expected What would have been accepted.
 * @param received The value that was given.
 * @returns The error, for the caller to throw.
 * @throws Never: it returns the error instead of throwing it.
 */
export function invalid(what: string, expected: string, received: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`Expected ${expected} for ${what} but received ${describe(received)}`);
}

const byCode: Record<string, new (message: string) => Int8kitError> = {
  INVALID_ARGUMENT: InvalidArgumentError,
  INVALID_PLAN: InvalidPlanError,
  INVALID_MODEL: InvalidModelError,
  UNSUPPORTED_ISA: UnsupportedIsaError,
  RELEASED: ReleasedError,
  OUT_OF_MEMORY: OutOfMemoryError,
};

/**
 * Maps an error coming out of a backend (`{ code, message }`) to its typed class.
 * @param error What a backend threw or reported.
 * @returns The matching {@link Int8kitError} subclass, or the error itself when its code is unknown.
 * @throws Never: it returns the mapped error.
 */
export function fromBackend(error: unknown): Error {
  if (error instanceof Int8kitError) return error;
  const e = error as { code?: string; message?: string };
  const Cls = e?.code ? byCode[e.code] : undefined;
  return Cls ? new Cls(e.message ?? String(error)) : (error as Error);
}

/** The model uses an operator (or version) int8kit cannot run; reported before running. */
export class UnsupportedOpError extends Int8kitError {
  constructor(message: string) {
    super('UNSUPPORTED_OP', message);
  }
}

/** The model's graph is inconsistent: cycles, missing values, shapes that do not agree. */
export class InvalidGraphError extends Int8kitError {
  constructor(message: string) {
    super('INVALID_GRAPH', message);
  }
}
