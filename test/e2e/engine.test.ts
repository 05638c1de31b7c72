/** The foundation on a real engine: the offline base and stand-ins exist, and a container from them runs. */
import { docker, dockerQuiet } from '../helpers/docker.js';

describe('offline images on the local engine', () => {
  it('the engine answers', async () => {
    expect(await docker('version', '--format', '{{.Server.Version}}')).toMatch(/^\d+\.\d+/);
  });

  it.each(['python', 'redis', 'prometheus', 'alertmanager', 'node-exporter', 'redis-exporter', 'flower'])(
    'stand-in %s is built from the offline Debian base and carries its content key',
    async (name) => {
      const key = await docker(
        'image',
        'inspect',
        '-f',
        '{{index .Config.Labels "org.erp-deploy.offline-key"}}',
        `erp-deploy/${name}:offline`,
      );
      expect(key).toMatch(/^[0-9a-f]{16}$/);
    },
  );

  it('a container from the Python stand-in runs Python 3.11 and is removed', async () => {
    const name = `erpt-engine-${process.pid}`;
    try {
      const out = await docker(
        'run',
        '--name',
        name,
        'erp-deploy/python:offline',
        'python',
        '-c',
        'import sys; print(sys.version_info[:2])',
      );
      expect(out).toBe('(3, 11)');
    } finally {
      await dockerQuiet('rm', '-f', name);
    }
  });

  it('the Prometheus stand-in ships promtool', async () => {
    const out = await docker(
      'run',
      '--rm',
      '--entrypoint',
      'promtool',
      'erp-deploy/prometheus:offline',
      '--version',
    );
    expect(out).toMatch(/promtool, version 2\./);
  });
});
