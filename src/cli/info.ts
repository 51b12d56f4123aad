import { info } from '../runtime/info';

export async function infoCommand(opts: { json?: boolean }): Promise<void> {
  const i = await info();
  if (opts.json) {
    console.log(JSON.stringify(i, null, 2));
    return;
  }
  console.log(`int8kit ${i.version}`);
  console.log(`CPU: ${i.cpu.model ?? 'unknown'} (${i.cpu.arch})`);
  console.log(`CPU features: ${i.cpu.features.join(' ') || '(native addon not loaded)'}`);
  for (const b of i.backends) {
    console.log(`\nbackend ${b.name}: ${b.available ? 'available' : 'unavailable'}`);
    if (!b.available) {
      console.log(`  ${b.reason}`);
      continue;
    }
    console.log(`  default ISA: ${b.isa!.selected}${b.isa!.forcedIsaError ? ` (${b.isa!.forcedIsaError})` : ''}`);
    for (const [family, kernel] of Object.entries(b.isa!.kernels)) console.log(`  ${family}: ${kernel}`);
    for (const s of b.isas ?? []) console.log(`  ${s.available ? '+' : '-'} ${s.isa}${s.reason ? `: ${s.reason}` : ''}`);
  }
}
