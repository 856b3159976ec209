/** Every wait in the demo is bounded: a stuck platform must fail the step, not hang CI. */
export async function withTimeout<T>(
  label: string,
  timeoutInMs: number,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = Object.assign(new Error(`${label} did not finish within ${timeoutInMs} ms`), {
        code: 'ERR_DEMO_TIMEOUT',
      });
      controller.abort(err);
      reject(err);
    }, timeoutInMs);
  });
  try {
    return await Promise.race([run(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
