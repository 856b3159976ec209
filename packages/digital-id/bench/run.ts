import { benchCallback } from './callback.bench.js';
import { benchStateStore } from './state-store.bench.js';

// Sequential: the machine is shared and small; one measurement at a time.
await benchStateStore();
await benchCallback();
