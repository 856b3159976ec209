/** The configuration file `thgov doctor` reads when neither --config nor THGOV_CONFIG names one. */
export const DEFAULT_CONFIG_FILE = 'thgov.config.json';
