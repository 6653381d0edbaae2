// Golden rows computed by OpenMemory 1.3.0's own code (memory/hsg.ts, memory/embed.ts, utils/chunking.ts), in the
// format of fixtures/openmemory/golden/rows-*.jsonl (which 1.2.3's code produced), for the same inputs plus twelve
// Mem0-style facts. Nothing of OpenMemory is kept in this repository: the script drives a checkout made elsewhere.
//
//   git -C <OpenMemory mirror> archive v1.3.0 packages/openmemory-js | tar -x -C /tmp/om130
//   (cd /tmp/om130/packages/openmemory-js && npm install)
//   node scripts/openmemory-1.3.0/golden-rows.mjs /tmp/om130/packages/openmemory-js
//
// Each configuration runs in its own process (OpenMemory reads its environment once, at import), with the tsx of
// the checkout, against a throw-away SQLite file (embedMultiSector writes an embed log).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const goldenFolder = path.resolve(here, '../../fixtures/openmemory/golden');

/** The configurations written: the 1.3.0 default (every tier 1536), and hybrid at 256 (the classifier alone differs from 1.2.3). */
const configurations = [
  { file: 'rows-1.3.0-hybrid-1536.jsonl', env: { OM_TIER: 'hybrid' } },
  { file: 'rows-1.3.0-hybrid-256.jsonl', env: { OM_TIER: 'hybrid', OM_VEC_DIM: '256' } },
];

/** Typical Mem0 facts (three of them classify differently in 1.3.0, see VERSIONS.md §4). */
export const mem0Facts = [
  'Name is Alex',
  'Is a vegetarian',
  'Allergic to nuts',
  'Prefers dark mode in every editor',
  'Works as a software engineer at Acme',
  'Went to Paris last month',
  'Feels stressed about the deadline',
  'Planning a trip to Japan next week',
  'Loves playing tennis on weekends',
  'Has a dog named Max',
  'Wants to learn Spanish this year',
  'Uses Python and TypeScript at work',
];

/** The inputs: 1.2.3's golden cases (text and metadata), then the Mem0 facts. */
function inputs() {
  const cases = readFileSync(path.join(goldenFolder, 'rows-hybrid-256.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line))
    .map((row) => ({ text: row.text, metadata: row.metadata }));
  return [...cases, ...mem0Facts.map((text) => ({ text, metadata: null }))];
}

const base64 = (vector) => Buffer.from(new Float32Array(vector).buffer).toString('base64');

/** In the child: one configuration, each case as add_hsg_memory computes it, one JSON line each. */
async function child(checkout, outputFile) {
  const source = (relative) => pathToFileURL(path.join(checkout, 'src', relative)).href;
  const hsg = await import(source('memory/hsg.ts'));
  const embed = await import(source('memory/embed.ts'));
  const chunking = await import(source('utils/chunking.ts'));
  const cfg = await import(source('core/cfg.ts'));
  const lines = [];
  let index = 0;
  for (const { text, metadata } of inputs()) {
    // upstream: add_hsg_memory — classification, salience, chunks, embedMultiSector, calc_mean_vec
    const classification = hsg.classify_content(text, metadata);
    const sectors = [classification.primary, ...classification.additional];
    const chunks = chunking.chunk_text(text);
    const results = await embed.embedMultiSector(`golden-${index}`, text, sectors, chunks.length > 1 ? chunks : undefined);
    const mean = hsg.calc_mean_vec(results, sectors);
    lines.push(
      JSON.stringify({
        case: index,
        text,
        metadata,
        openmemory: '1.3.0',
        tier: cfg.tier,
        dim: cfg.env.vec_dim,
        classification,
        simhash: hsg.compute_simhash(text),
        chunks: chunks.map((chunk) => ({ start: chunk.start, end: chunk.end, tokens: chunk.tokens, length: chunk.text.length })),
        initial_salience: Math.max(0, Math.min(1, 0.4 + 0.1 * classification.additional.length)),
        decay_lambda: hsg.sector_configs[classification.primary].decay_lambda,
        essence_200: hsg.extract_essence(text, classification.primary, 200),
        vectors: Object.fromEntries(results.map((result) => [result.sector, base64(result.vector)])),
        mean_vec: base64(mean),
      }),
    );
    index++;
  }
  writeFileSync(outputFile, `${lines.join('\n')}\n`);
  process.exit(0); // OpenMemory's database and timers would keep the process alive
}

function parent(checkout) {
  const tsx = path.join(checkout, 'node_modules', '.bin', 'tsx');
  for (const configuration of configurations) {
    const scratch = mkdtempSync(path.join(tmpdir(), 'om130-golden-'));
    const result = spawnSync(tsx, [fileURLToPath(import.meta.url), '--child', checkout, path.join(goldenFolder, configuration.file)], {
      cwd: checkout,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...configuration.env,
        OM_EMBEDDINGS: 'synthetic',
        OM_METADATA_BACKEND: 'sqlite',
        OM_DB_PATH: path.join(scratch, 'golden.sqlite'),
        OM_USE_SUMMARY_ONLY: 'true', // only extract_essence reads it here
        OM_EMBED_DELAY_MS: '1', // 0 reads as the default 200 (Number(v) || d)
      },
    });
    rmSync(scratch, { recursive: true, force: true });
    if (result.status !== 0) throw new Error(`${configuration.file}: the child exited with ${result.status}`);
    console.log(`wrote ${path.join(goldenFolder, configuration.file)}`);
  }
}

const [, , first, second, third] = process.argv;
if (first === '--child') await child(second, third);
else if (first) parent(path.resolve(first));
else {
  console.error('usage: node scripts/openmemory-1.3.0/golden-rows.mjs <checkout of v1.3.0 packages/openmemory-js, npm-installed>');
  process.exit(2);
}
