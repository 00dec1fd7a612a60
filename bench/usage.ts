// `--help` for the benchmark scripts: prints the comment block a script starts with (its usage),
// so the flags are documented once, where the code is.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Prints the script's leading comment and exits when --help or -h is on the command line. */
export function exitWithUsageIfAsked(scriptUrl: string): void {
  if (!process.argv.includes('--help') && !process.argv.includes('-h')) return;
  const lines = readFileSync(fileURLToPath(scriptUrl), 'utf8').split('\n');
  const usage: string[] = [];
  for (const line of lines) {
    if (!line.startsWith('//')) break;
    usage.push(line.replace(/^\/\/ ?/, ''));
  }
  process.stdout.write(`${usage.join('\n')}\n`);
  process.exit(0);
}
