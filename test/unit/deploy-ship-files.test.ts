/** Project files of a remote deploy: content-addressed copies, the compose paths that point at them, the upload. */
import { describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareCompose } from '../../src/core/deploy/compose-doc.js';
import { LocalTarget } from '../../src/core/deploy/target-local.js';
import { filesRoot, ProjectFiles, uploadFiles } from '../../src/core/deploy/ship-files.js';
import { MemoryLogger } from '../../src/core/log.js';

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'erpt-unit-files-'));
  mkdirSync(join(dir, 'rules'));
  writeFileSync(join(dir, 'rules/a.yml'), 'groups: []\n');
  writeFileSync(join(dir, 'rules/run.sh'), '#!/bin/sh\n');
  chmodSync(join(dir, 'rules/run.sh'), 0o700);
  writeFileSync(join(dir, 'app.env'), 'A=1\n');
  return dir;
}

const rendered = `
services:
  prometheus:
    image: p
    volumes: ["./rules:/etc/rules:ro", "/proc:/host/proc:ro", {type: bind, source: ./app.env, target: /x}, "data:/data"]
    env_file: ./app.env
  api: { image: a, volumes: ["./missing.yml:/m"] }
volumes: { data: {} }
`;

describe('remote project files', () => {
  it('points relative paths at content-addressed copies, leaves host paths and missing files alone', () => {
    const dir = project();
    const files = new ProjectFiles(filesRoot('/state/erp'));
    const p = prepareCompose(rendered, dir, [], {}, files.relocate);
    const svc = (p.document.services as Record<string, Record<string, unknown>>).prometheus;
    const [rules, proc, env, data] = svc.volumes as [string, string, { source: string }, string];
    expect(rules).toMatch(/^\/state\/erp\/files\/[0-9a-f]{16}\/rules:\/etc\/rules:ro$/);
    expect(proc).toBe('/proc:/host/proc:ro');
    expect(env.source).toMatch(/^\/state\/erp\/files\/[0-9a-f]{16}\/app\.env$/);
    expect(svc.env_file).toBe(env.source);
    expect(data).toBe('data:/data');
    const api = (p.document.services as Record<string, Record<string, unknown>>).api;
    expect(api.volumes).toEqual([`${dir}/missing.yml:/m`]);
    expect(files.uploads.map((u) => u.local).sort()).toEqual([join(dir, 'app.env'), join(dir, 'rules')]);
  });

  it('gives the same content the same path, and a change (content or mode) a new one and a new service hash', () => {
    const dir = project();
    const at = () => {
      const files = new ProjectFiles('/f');
      const p = prepareCompose(rendered, dir, [], {}, files.relocate);
      return {
        upload: files.uploads.find((u) => u.local.endsWith('rules'))!.remote,
        hash: p.hashes.prometheus,
      };
    };
    const a = at();
    expect(at()).toEqual(a);
    writeFileSync(join(dir, 'rules/a.yml'), 'groups: [] # changed\n');
    const b = at();
    expect(b.upload).not.toBe(a.upload);
    expect(b.hash).not.toBe(a.hash);
    chmodSync(join(dir, 'rules/a.yml'), 0o755);
    expect(at().upload).not.toBe(b.upload);
  });

  it('uploads each copy once, readable by all, executables kept executable', async () => {
    const dir = project();
    const root = mkdtempSync(join(tmpdir(), 'erpt-unit-files-target-'));
    const files = new ProjectFiles(filesRoot(root));
    prepareCompose(rendered, dir, [], {}, files.relocate);
    const target = new LocalTarget();
    const first = await uploadFiles(target, files.uploads, new MemoryLogger());
    expect(first).toMatchObject({ sent: 2, kept: 0 });
    const rules = files.uploads.find((u) => u.local.endsWith('rules'))!.remote;
    expect(readFileSync(join(rules, 'a.yml'), 'utf8')).toBe('groups: []\n');
    expect(statSync(join(rules, 'a.yml')).mode & 0o777).toBe(0o644);
    expect(statSync(join(rules, 'run.sh')).mode & 0o777).toBe(0o755);
    expect(await uploadFiles(target, files.uploads, new MemoryLogger())).toMatchObject({ sent: 0, kept: 2 });
  });
});
