// The API docs cannot rot: typedoc builds them from src/index.ts with the repository's typedoc.json
// (every export documented, no broken {@link}, nothing referenced but unexported) and any warning
// fails; every exported function, method and constructor says which errors it throws.
import { resolve } from 'node:path';
import { Application, LogLevel, Logger, ReflectionKind, TSConfigReader, TypeDocReader, type ProjectReflection, type SignatureReflection } from 'typedoc';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');

/**
 * Signatures that need no `@throws` tag, each with the reason. The rule for everything else: a
 * signature that throws names each error class with `@throws {@link Class}` (or, for errors Node itself
 * raises, such as node:fs failures, the class in backticks: `@throws \`Error\` ...`); one that cannot
 * throw says so with a `@throws` tag that starts with "Never" (so the claim is written where readers look).
 * Keep this list to things whose doc comment is not ours to write.
 */
const EXEMPT: Record<string, string> = {
  // Error constructors only store their message; documenting "@throws Never" on eleven of them is noise.
  'Int8kitError.constructor': 'an error class constructor: stores code and message',
  'InvalidArgumentError.constructor': 'an error class constructor: stores its message',
  'InvalidPlanError.constructor': 'an error class constructor: stores its message',
  'InvalidModelError.constructor': 'an error class constructor: stores its message',
  'BackendUnavailableError.constructor': 'an error class constructor: stores its message',
  'UnsupportedIsaError.constructor': 'an error class constructor: stores its message',
  'ReleasedError.constructor': 'an error class constructor: stores its message',
  'OutOfMemoryError.constructor': 'an error class constructor: stores its message',
  'UnsupportedOpError.constructor': 'an error class constructor: stores its message',
  'InvalidGraphError.constructor': 'an error class constructor: stores its message',
  'CalibrationAbortedError.constructor': 'an error class constructor: stores its message',
};

class RecordingLogger extends Logger {
  readonly messages: string[] = [];
  override log(message: string, level: LogLevel): void {
    super.log(message, level);
    if (level >= LogLevel.Warn) this.messages.push(`${LogLevel[level]}: ${message}`);
  }
}

let project: ProjectReflection;
let logger: RecordingLogger;

beforeAll(async () => {
  // Only the repository's typedoc.json and tsconfig.json: no command-line reader (vitest's argv).
  const app = await Application.bootstrapWithPlugins(
    { options: resolve(root, 'typedoc.json'), tsconfig: resolve(root, 'tsconfig.json'), entryPoints: [resolve(root, 'src/index.ts')] },
    [new TypeDocReader(), new TSConfigReader()],
  );
  logger = new RecordingLogger();
  app.logger = logger;
  const converted = await app.convert();
  if (!converted) throw new Error(`typedoc could not convert src/index.ts:\n${logger.messages.join('\n')}`);
  project = converted;
  app.validate(project); // the typedoc.json validation rules; nothing is written
}, 120_000);

/** Every signature callers can reach: functions, methods, constructors and accessors of exported classes. */
function signatures(): { name: string; sig: SignatureReflection }[] {
  const out: { name: string; sig: SignatureReflection }[] = [];
  for (const r of project.getReflectionsByKind(ReflectionKind.Function | ReflectionKind.Method | ReflectionKind.Constructor)) {
    // Members inherited unchanged from Error/Object are not ours to document.
    if (r.flags.isExternal) continue;
    const sigs = 'signatures' in r ? ((r as { signatures?: SignatureReflection[] }).signatures ?? []) : [];
    for (const sig of sigs) {
      if (sig.sources?.some((s) => s.fileName.includes('node_modules'))) continue;
      out.push({ name: r.getFriendlyFullName(), sig });
    }
  }
  return out;
}

describe('API docs (typedoc)', () => {
  it('builds src/index.ts without a single warning (documented, linked, exported)', () => {
    expect(logger.messages).toEqual([]);
  });

  it('every exported function, method and constructor documents what it throws', () => {
    const sigs = signatures();
    expect(sigs.length).toBeGreaterThan(100); // the walk really sees the API
    const missing = sigs
      .filter(({ name, sig }) => !EXEMPT[name] && !sig.comment?.blockTags.some((t) => t.tag === '@throws'))
      .map(({ name }) => name);
    expect([...new Set(missing)]).toEqual([]);
  });

  it('"@throws" tags link an error class, name a Node error class, or say "Never"', () => {
    const bad: string[] = [];
    for (const { name, sig } of signatures()) {
      for (const tag of sig.comment?.blockTags ?? []) {
        if (tag.tag !== '@throws') continue;
        const text = tag.content.map((p) => p.text).join('');
        const linked = tag.content.some((p) => p.kind === 'inline-tag' && p.tag === '@link');
        if (!linked && !/^\s*(Never\b|`\w*Error`)/.test(text)) bad.push(`${name}: ${text}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the exemption list names signatures that still exist', () => {
    const names = new Set(signatures().map((s) => s.name));
    expect(Object.keys(EXEMPT).filter((n) => !names.has(n))).toEqual([]);
  });
});
