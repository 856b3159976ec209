import type { ThgovConfig } from '../config/schema.js';
import { PLATFORMS, type Platform } from './report.js';

/** The configured platforms, in a fixed order. */
export function configuredPlatforms(config: ThgovConfig): Platform[] {
  return PLATFORMS.filter((p) =>
    p === 'digitalId'
      ? Boolean(
          config.digitalId?.thaid ||
            config.digitalId?.dga ||
            Object.keys(config.digitalId?.providers ?? {}).length,
        )
      : p === 'audit'
        ? config.audit?.postgres !== undefined
        : config[p] !== undefined,
  );
}
