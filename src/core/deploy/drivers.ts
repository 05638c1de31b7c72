/** The driver an environment names. A Kubernetes driver would be one more entry here. */
import type { DriverName } from '../config/types.js';
import { InputError } from '../errors.js';
import { composeDriver } from './driver-compose.js';
import { swarmDriver } from './driver-swarm.js';
import type { Driver } from './driver.js';

const DRIVERS: Record<DriverName, Driver> = { compose: composeDriver, swarm: swarmDriver };

export function drivers(name: string): Driver {
  const d = DRIVERS[name as DriverName];
  if (!d)
    throw new InputError(
      `unknown driver "${name}"; expected one of ${Object.keys(DRIVERS).join(', ')}`,
      undefined,
      'driver',
    );
  return d;
}
