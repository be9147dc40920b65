/**
 * `npm run bench -- <name> [args…]`: runs bench/<name>.bench.ts (compiled) and prints its figures.
 * Benchmarks print what they measured and the machine they ran on; they never assert timings.
 */
import * as os from 'node:os';

/** Each benchmark module exports `run(args)`. Add an entry per benchmark. */
const benches: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  identity: () => import('./identity.bench'),
  tsa: () => import('./tsa.bench'),
  banking: () => import('./banking.bench'),
  pades: () => import('./pades.bench'),
  archive: () => import('./archive.bench'),
  pki: () => import('./pki.bench'),
  contracts: () => import('./contracts.bench'),
};

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  if (!name || !(name in benches)) {
    process.stderr.write(`usage: npm run bench -- <${Object.keys(benches).join('|') || 'name'}> [args]\n`);
    process.exit(2);
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  process.stdout.write(
    `# ${name} benchmark — node ${process.version}, ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB\n`,
  );
  const mod = await benches[name]();
  await mod.run(args);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
