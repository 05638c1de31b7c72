/** The typed inputs of build-images, read once. */
import * as core from '@actions/core';
import { getBool, getKeyValues, getList, getOptional } from '../common/inputs.js';
import { InputError } from '../../core/errors.js';
import type { CacheMode } from '../../core/images/builder.js';

export interface Inputs {
  config?: string;
  services: string[];
  tags: string[];
  push?: boolean;
  registry?: string;
  registryUsername?: string;
  registryPassword?: string;
  buildArgs: Record<string, string>;
  concurrency?: number;
  cache?: CacheMode;
  environment?: string;
  noCache: boolean;
}

export function getInputs(): Inputs {
  const password = getOptional('registry-password');
  if (password) core.setSecret(password);
  const concurrency = getOptional('concurrency');
  if (concurrency !== undefined && !/^[1-9]\d*$/.test(concurrency)) {
    throw new InputError(`expected a whole number ≥ 1, got "${concurrency}"`, undefined, 'concurrency');
  }
  return {
    config: getOptional('config'),
    services: getList('services'),
    tags: getList('tags', { ignoreComma: true }),
    push: getOptional('push') === undefined ? undefined : getBool('push', false),
    registry: getOptional('registry'),
    registryUsername: getOptional('registry-username'),
    registryPassword: password,
    buildArgs: getKeyValues('build-args'),
    concurrency: concurrency === undefined ? undefined : Number(concurrency),
    cache: getOptional('cache') as CacheMode | undefined,
    environment: getOptional('environment'),
    noCache: getBool('no-cache', false),
  };
}
