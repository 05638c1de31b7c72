// Per-project default timeout: jest 29 has no per-project testTimeout option.
import { jest } from '@jest/globals';

jest.setTimeout(300_000);
