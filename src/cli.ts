#!/usr/bin/env node
/** The command line (CONTRACTS.md section 1). Exit 0: an answer; 2: unusable input; 1: a bug. */
import { Command, CommanderError } from 'commander';
import { isUserInputError } from './domain/errors.js';

/** Writes a user error as one line (and as JSON on stdout with --json), then exits 2. */
function failWithUserError(error: { code: string; message: string; candidates?: string[] | undefined }, json: boolean): void {
  process.stderr.write(`netproof: ${error.message}\n`);
  if (json) {
    const body: Record<string, unknown> = { code: error.code, message: error.message };
    if (error.candidates) body.candidates = error.candidates;
    process.stdout.write(`${JSON.stringify({ error: body })}\n`);
  }
  process.exitCode = 2;
}

/** Runs one command body, mapping errors onto the exit codes. */
async function guarded(json: boolean, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (isUserInputError(error)) {
      failWithUserError(error, json);
      return;
    }
    process.stderr.write(`netproof: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  }
}

const program = new Command();
program
  .name('netproof')
  .description('Tells Azure network engineers why a connection fails, with proof.')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

program
  .command('capture')
  .description('Analyse a capture file: Wireshark/tshark JSON, tshark EK, pcap, pcapng; optionally gzip-compressed.')
  .argument('<file>', 'capture file, or - for standard input')
  .option('--json', 'print the CaptureReport JSON')
  .option('--extra-ca <file>', 'PEM file of extra trusted roots for the chain check (default NETPROOF_EXTRA_CA_FILE)')
  .action(async (file: string, options: { json?: boolean; extraCa?: string }) => {
    await guarded(Boolean(options.json), async () => {
      const { runCapture } = await import('./cli/capture.js');
      await runCapture(file, options);
    });
  });

program
  .command('ask')
  .description('Answer "why can\'t X reach Y" from the evidence, as the bot would.')
  .argument('<question>', 'the question, in plain words')
  .option('--scenario <dir>', 'run against a lab scenario folder')
  .option('--json', 'print the Verdict JSON')
  .option('--report <file>', 'also write the evidence pack (self-contained HTML) to FILE')
  .option('--no-llm', 'answer from the rules alone even when an LLM is configured')
  .action(async (question: string, options: { scenario?: string; json?: boolean; report?: string; llm: boolean }) => {
    await guarded(Boolean(options.json), async () => {
      const { runAsk } = await import('./cli/ask.js');
      await runAsk(question, options);
    });
  });

program
  .command('lab')
  .description('Run the Azure emulator alone on loopback.')
  .option('--scenario <dir...>', 'scenario folders (default: the built-in scenarios)')
  .option('--port <n>', 'port (default: ephemeral)', (value) => Number.parseInt(value, 10))
  .action(async (options: { scenario?: string[]; port?: number }) => {
    await guarded(false, async () => {
      const { runLab } = await import('./cli/lab.js');
      await runLab(options);
    });
  });

program
  .command('coverage')
  .description('Flow-log coverage of the estate, and the policy plan that closes the gaps.')
  .option('--scenario <dir>', 'run against a lab scenario folder')
  .option('--json', 'print the coverage report JSON')
  .option('--template <file>', 'also write the remediation plan as an ARM deployment template to FILE')
  .action(async (options: { scenario?: string; json?: boolean; template?: string }) => {
    await guarded(Boolean(options.json), async () => {
      const { runCoverage } = await import('./cli/coverage.js');
      await runCoverage(options);
    });
  });

program
  .command('doctor')
  .description('Check the configuration and the Azure rights of the identity netproof runs with; print what is missing.')
  .action(async () => {
    await guarded(false, async () => {
      const { runDoctor } = await import('./cli/doctor.js');
      const status = await runDoctor();
      if (status !== 0) process.exitCode = status;
    });
  });

program
  .command('start')
  .description('Run the Teams bot (POST /api/messages).')
  .action(async () => {
    await guarded(false, async () => {
      const { runStart } = await import('./cli/start.js');
      await runStart();
    });
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    if (error.exitCode !== 0) process.exitCode = 2;
  } else {
    throw error;
  }
}
