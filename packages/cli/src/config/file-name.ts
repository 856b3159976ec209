/** The configuration file `thgov doctor` reads when neither --config nor THGOV_CONFIG names one. */
export const DEFAULT_CONFIG_FILE = 'thgov.config.json';

/**
 * The configuration file a command reads: `--config`, else `THGOV_CONFIG`, else ./thgov.config.json. An empty
 * THGOV_CONFIG counts as unset: CI systems give an undefined variable as an empty string
 * (`THGOV_CONFIG: ${{ vars.THGOV_CONFIG }}`), which names no file.
 */
export function configFilePath(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return option ?? (env.THGOV_CONFIG || DEFAULT_CONFIG_FILE);
}
