// erp-deploy test: runs bundle.js through V8's code cache (scripts/v8-loader.mjs explains).
import { runBundle } from '../v8-loader.mjs';

await runBundle(import.meta.url, 'test');
