/**
 * Help lines derived from the contract's parameter tables (`@shared/ipc/channels/motion-params`),
 * so `--help` states the same defaults and limits the zod schemas enforce. Zod-free: `--help`
 * loads no package.
 */
import { paramRange, type NumberParam } from '@shared/ipc/channels/motion-params'

/** Help-line writers for one command, its descriptions starting at `column`. */
export function helpLines(column: number) {
  const line = (flag: string, text: string): string => {
    const head = `  ${flag}`
    return head.length < column ? `${head.padEnd(column)}${text}` : `${head}\n${' '.repeat(column)}${text}`
  }
  return {
    /** `  --alpha A    amplification α (…) (default 10; 0 ≤ x ≤ 100)` */
    param: (flag: string, param: NumberParam, note = ''): string => line(flag, `${param.describe}${note} (${paramRange(param)})`),
    /** One line for the option, then one per choice with its description. */
    choice: (flag: string, choices: Record<string, string>, fallback: string): string =>
      [line(flag, `one of ${Object.keys(choices).join(', ')} (default ${fallback}):`), ...Object.entries(choices).map(([name, text]) => line(`  ${name}`, text))].join('\n'),
  }
}
