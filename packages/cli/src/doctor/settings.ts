import type { ThgovConfig } from '../config/schema.js';

export interface DoctorSettings {
  expiryWarningDays: number;
  maxClockSkewInMs: number;
  checkTimeoutInMs: number;
}

export function doctorSettings(config: ThgovConfig): DoctorSettings {
  return {
    expiryWarningDays: config.doctor?.expiryWarningDays ?? 30,
    maxClockSkewInMs: config.doctor?.maxClockSkewInMs ?? 30_000,
    checkTimeoutInMs: config.doctor?.checkTimeoutInMs ?? 15_000,
  };
}
