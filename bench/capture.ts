/**
 * Capture benchmark, run on demand (`npm run bench:capture`), never in the test run.
 *
 * On the corpus's large capture (160,149 packets), as pcapng and as its Wireshark JSON
 * export (`tshark -T json`, 1.16 GB), it measures the whole `netproof capture --json`
 * process (wall time, peak RSS via GNU time), its start-up time, and in-process
 * throughput, each beside a baseline run in the same session:
 * - pcapng: `tshark -r FILE -q -z conv,tcp` (target: netproof at least 3x faster);
 * - JSON: JSON.parse plus a walk over every packet, on a ~300 MB slice of the export
 *   (JSON.parse cannot load the whole file); target: at least its MB/s, peak RSS < 300 MB.
 * Every figure is the median of NETPROOF_BENCH_RUNS runs (default 5; 3 for the 1.16 GB file),
 * interleaved so a busy machine slows all contenders alike.
 *
 * With NETPROOF_BENCH_BEFORE=PATH (the `dist/src/cli.js` of another build, e.g. the commit
 * before a change, built elsewhere), that build runs interleaved beside this one on the pcapng
 * and the 1.16 GB export, and both reports must be byte-identical.
 *
 * Needs tshark (`apt-get install -y tshark`) and GNU time (`apt-get install -y time`).
 * Work files go to NETPROOF_BENCH_DIR (default $TMPDIR/netproof-bench) and are reused.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir, release } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { analyzeCapture } from '../src/capture/index.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CORPUS = process.env.NETPROOF_CORPUS ?? resolve(ROOT, '..', 'shared', 'corpus');
const WORK = process.env.NETPROOF_BENCH_DIR ?? join(tmpdir(), 'netproof-bench');
const RUNS = Number(process.env.NETPROOF_BENCH_RUNS ?? 5);
const BIG_RUNS = Math.max(1, Math.min(RUNS, 3));
const SLICE_BYTES = 300e6;
const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const BASELINE = join(ROOT, '.bench-out', 'bench', 'capture-json-baseline.js');
const TINY = join(ROOT, 'test', 'fixtures', 'capture', 'tcp_refused.pcap');
const BEFORE = process.env.NETPROOF_BENCH_BEFORE;

interface Sample { seconds: number; peakRssInMb: number; cpuSeconds: number }

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * Runs a command under GNU time with stdout discarded; wall seconds, peak RSS, and CPU
 * seconds (user + system, all threads: steadier than wall time when others load the machine).
 */
function timed(command: string, args: string[]): Sample {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', command, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const last = result.stderr.trim().split('\n').at(-1) ?? '';
  const match = /^([\d.]+) (\d+) ([\d.]+) ([\d.]+)$/.exec(last);
  if (result.status !== 0 || !match) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr.slice(-500)}`);
  return { seconds: Number(match[1]), peakRssInMb: Number(match[2]) / 1024, cpuSeconds: Number(match[3]) + Number(match[4]) };
}

async function tsharkJson(source: string, target: string, extra: string[]): Promise<void> {
  if (existsSync(target)) return;
  process.stderr.write(`making ${target} with tshark -T json ${extra.join(' ')}...\n`);
  const child = spawn('tshark', ['-r', source, ...extra, '-T', 'json'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const partial = `${target}.partial`;
  await pipeline(child.stdout, createWriteStream(partial));
  await new Promise<void>((done, fail) => child.on('close', (code) => (code === 0 ? done() : fail(new Error(`tshark exited ${code}`)))));
  spawnSync('mv', [partial, target]);
}

async function inProcess(file: string, runs: number): Promise<{ seconds: number; packets: number }> {
  const seconds: number[] = [];
  let packets = 0;
  for (let run = 0; run < runs; run += 1) {
    const start = performance.now();
    const report = await analyzeCapture(file);
    seconds.push((performance.now() - start) / 1000);
    packets = report.input.packets;
  }
  return { seconds: median(seconds), packets };
}

function rate(bytes: number, seconds: number): string {
  return `${(bytes / 1e6 / seconds).toFixed(1)} MB/s`;
}

async function main(): Promise<void> {
  for (const tool of ['tshark', '/usr/bin/time']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).error) throw new Error(`${tool} is missing: apt-get install -y ${tool === 'tshark' ? 'tshark' : 'time'}`);
  }
  if (!existsSync(CLI)) throw new Error('dist/src/cli.js is missing: npm run build');
  mkdirSync(WORK, { recursive: true });
  const pcapng = join(WORK, 'large_http_load.pcapng');
  if (!existsSync(pcapng)) await pipeline(createReadStream(join(CORPUS, 'large', 'large_http_load.pcapng.gz')), createGunzip(), createWriteStream(pcapng));
  const json = join(WORK, 'large_http_load.json');
  await tsharkJson(pcapng, json, []);
  const packetsTotal = 160_149;
  const slicePackets = Math.round(SLICE_BYTES / (statSync(json).size / packetsTotal));
  const slice = join(WORK, `large_http_load.first${slicePackets}.json`);
  await tsharkJson(pcapng, slice, ['-c', String(slicePackets)]);
  const size = { pcapng: statSync(pcapng).size, json: statSync(json).size, slice: statSync(slice).size };

  if (BEFORE) {
    for (const file of [pcapng, json]) {
      const report = (cli: string) => spawnSync('node', [cli, 'capture', file, '--json'], { encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024 }).stdout;
      if (!report(BEFORE).equals(report(CLI))) throw new Error(`the reports of ${BEFORE} and ${CLI} on ${file} differ`);
    }
    process.stderr.write('reports byte-identical with NETPROOF_BENCH_BEFORE\n');
  }

  const samples: Record<string, Sample[]> = { startup: [], pcapng: [], tshark: [], sliceOurs: [], sliceBaseline: [], json: [], beforePcapng: [], beforeJson: [] };
  for (let run = 0; run < RUNS; run += 1) {
    process.stderr.write(`run ${run + 1}/${RUNS}\n`);
    samples.startup?.push(timed('node', [CLI, 'capture', TINY, '--json']));
    if (BEFORE) samples.beforePcapng?.push(timed('node', [BEFORE, 'capture', pcapng, '--json']));
    samples.pcapng?.push(timed('node', [CLI, 'capture', pcapng, '--json']));
    samples.tshark?.push(timed('tshark', ['-r', pcapng, '-q', '-z', 'conv,tcp']));
    samples.sliceOurs?.push(timed('node', [CLI, 'capture', slice, '--json']));
    samples.sliceBaseline?.push(timed('node', [BASELINE, slice]));
    if (run < BIG_RUNS && BEFORE) samples.beforeJson?.push(timed('node', [BEFORE, 'capture', json, '--json']));
    if (run < BIG_RUNS) samples.json?.push(timed('node', [CLI, 'capture', json, '--json']));
  }
  const figure = (name: string) => {
    const list = samples[name] ?? [];
    return { seconds: median(list.map((sample) => sample.seconds)), cpuSeconds: median(list.map((sample) => sample.cpuSeconds)), peakRssInMb: median(list.map((sample) => sample.peakRssInMb)), maxPeakRssInMb: Math.max(...list.map((sample) => sample.peakRssInMb)) };
  };
  const own = { pcapng: await inProcess(pcapng, RUNS), json: await inProcess(json, BIG_RUNS) };

  const results = {
    machine: { cpu: cpus()[0]?.model ?? '?', cores: cpus().length, memoryInGb: Math.round(totalmem() / 2 ** 30), kernel: release(), node: process.version, tshark: spawnSync('tshark', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] },
    runs: RUNS, bigRuns: BIG_RUNS, sizes: size, slicePackets,
    startup: figure('startup'), pcapng: figure('pcapng'), tshark: figure('tshark'), sliceOurs: figure('sliceOurs'), sliceBaseline: figure('sliceBaseline'), json: figure('json'), inProcess: own,
    ...(BEFORE ? { before: { cli: BEFORE, pcapng: figure('beforePcapng'), json: figure('beforeJson') } } : {}),
  };
  writeFileSync(join(WORK, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

  const row = (what: string, bytes: number, packets: number, sample: { seconds: number; cpuSeconds: number; peakRssInMb: number; maxPeakRssInMb?: number }) =>
    `| ${what} | ${sample.seconds.toFixed(2)} s | ${sample.cpuSeconds.toFixed(2)} s | ${rate(bytes, sample.seconds)} | ${Math.round(packets / sample.seconds).toLocaleString('en-US')} | ${sample.peakRssInMb.toFixed(0)} MB${sample.maxPeakRssInMb ? ` (max ${sample.maxPeakRssInMb.toFixed(0)})` : ''} |`;
  const lines = [
    `Machine: ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.memoryInGb} GB, Linux ${results.machine.kernel}, Node ${results.machine.node}, ${results.machine.tshark}`,
    `Files: pcapng ${(size.pcapng / 1e6).toFixed(1)} MB; JSON export ${(size.json / 1e9).toFixed(2)} GB; JSON slice ${(size.slice / 1e6).toFixed(0)} MB (${slicePackets} packets). Median of ${RUNS} runs (${BIG_RUNS} for the 1.16 GB JSON).`,
    '',
    `Load average at the end: ${loadavg().map((value) => value.toFixed(1)).join(' ')} (${results.machine.cores} cores).`,
    '',
    '| whole process | wall | CPU (user+sys) | throughput | packets/s | peak RSS (median) |',
    '| --- | --- | --- | --- | --- | --- |',
    row('netproof capture --json, pcapng', size.pcapng, packetsTotal, results.pcapng),
    ...(BEFORE ? [row('netproof capture --json, pcapng, NETPROOF_BENCH_BEFORE build', size.pcapng, packetsTotal, figure('beforePcapng'))] : []),
    row('tshark -q -z conv,tcp, pcapng (baseline)', size.pcapng, packetsTotal, results.tshark),
    row('netproof capture --json, JSON 1.16 GB', size.json, packetsTotal, results.json),
    ...(BEFORE ? [row('netproof capture --json, JSON 1.16 GB, NETPROOF_BENCH_BEFORE build', size.json, packetsTotal, figure('beforeJson'))] : []),
    row('netproof capture --json, JSON slice', size.slice, slicePackets, results.sliceOurs),
    row('JSON.parse + walk, JSON slice (baseline)', size.slice, slicePackets, results.sliceBaseline),
    `| start-up: netproof capture on a 2-packet pcap | ${results.startup.seconds.toFixed(2)} s | ${results.startup.cpuSeconds.toFixed(2)} s | | | ${results.startup.peakRssInMb.toFixed(0)} MB |`,
    '',
    `netproof vs tshark on the pcapng: ${(results.tshark.seconds / results.pcapng.seconds).toFixed(1)}x faster in wall time, ${(results.tshark.cpuSeconds / results.pcapng.cpuSeconds).toFixed(1)}x in CPU time (target 3x).`,
    `netproof vs JSON.parse on the slice: ${(results.sliceBaseline.seconds / results.sliceOurs.seconds).toFixed(2)}x its MB/s (target 1x); full export at ${rate(size.json, results.json.seconds)} with peak RSS ${results.json.maxPeakRssInMb.toFixed(0)} MB (target < 300 MB).`,
    `In process (analyzeCapture, no start-up, no output): pcapng ${rate(size.pcapng, own.pcapng.seconds)}, ${Math.round(own.pcapng.packets / own.pcapng.seconds).toLocaleString('en-US')} packets/s; JSON ${rate(size.json, own.json.seconds)}, ${Math.round(own.json.packets / own.json.seconds).toLocaleString('en-US')} packets/s.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
