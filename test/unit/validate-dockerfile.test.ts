import { lintDockerfile, imageRef } from '../../src/core/validate/checks/dockerfile.js';

const rules = (text: string): string[] =>
  lintDockerfile(text, 'Dockerfile').map((f) => `${f.line} ${f.rule}`);

const GOOD = `# syntax=docker/dockerfile:1
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
FROM \${PYTHON_IMAGE} AS build
RUN apt-get update \\
 && apt-get install -y --no-install-recommends gcc \\
 && rm -rf /var/lib/apt/lists/*
FROM \${PYTHON_IMAGE}
COPY --from=build /app /app
ENV REDIS_PASSWORD_FILE=/run/secrets/redis_password
USER 10001
HEALTHCHECK CMD ["python", "-c", "print(1)"]
`;

describe('Dockerfile rules', () => {
  test('a pinned, non-root, health-checked, clean Dockerfile has no finding', () => {
    expect(rules(GOOD)).toEqual([]);
  });

  test('image references: tags, digests, registries with ports', () => {
    expect(imageRef('python')).toEqual({ tag: undefined, digest: false });
    expect(imageRef('localhost:5000/erp/api')).toEqual({ tag: undefined, digest: false });
    expect(imageRef('localhost:5000/erp/api:1.2')).toEqual({ tag: '1.2', digest: false });
    expect(imageRef('python@sha256:abc')).toEqual({ digest: true });
  });

  test('base images: untagged, latest, an ARG without default; a previous stage and scratch are fine', () => {
    expect(rules('FROM python\nUSER app\nHEALTHCHECK NONE\n')).toContain('1 DF001');
    expect(rules('ARG B\nFROM ${B}\nUSER app\nHEALTHCHECK CMD true\n')).toEqual(['2 DF001']);
    expect(rules('FROM debian:latest\nUSER app\nHEALTHCHECK CMD true\n')).toEqual(['1 DF001']);
    expect(rules('FROM debian:12 AS a\nFROM a\nUSER app\nHEALTHCHECK CMD true\n')).toEqual([]);
    expect(rules('FROM scratch\nUSER 1\n# healthcheck: a static binary probed by compose\n')).toEqual([]);
  });

  test('USER: missing or root in the final stage; a non-root USER in an earlier stage does not count', () => {
    expect(rules('FROM a:1 AS x\nUSER app\nFROM b:1\nHEALTHCHECK CMD true\n')).toEqual(['3 DF002']);
    expect(rules('FROM b:1\nUSER app\nUSER root:root\nHEALTHCHECK CMD true\n')).toEqual(['3 DF002']);
    expect(rules('FROM b:1\n# user: the base image runs as nobody\nHEALTHCHECK CMD true\n')).toEqual([]);
  });

  test('HEALTHCHECK: absent without a justification comment', () => {
    expect(rules('FROM b:1\nUSER app\n')).toEqual(['1 DF003']);
    expect(
      rules('FROM b:1\nUSER app\n# healthcheck: compose defines it (one image, three commands)\n'),
    ).toEqual([]);
  });

  test('secrets in ENV and ARG, in every form; references and *_FILE are fine', () => {
    expect(rules('ARG GH_TOKEN=ghp_x\nFROM b:1\nUSER a\nHEALTHCHECK CMD true\n')).toEqual(['1 DF004']);
    expect(rules('FROM b:1\nENV DB_PASSWORD hunter2\nUSER a\nHEALTHCHECK CMD true\n')).toEqual(['2 DF004']);
    expect(rules('FROM b:1\nENV A=1 API_KEY="k e y"\nUSER a\nHEALTHCHECK CMD true\n')).toEqual(['2 DF004']);
    expect(
      rules(
        'FROM b:1\nARG NPM_TOKEN\nENV SECRET_FILE=/run/secrets/s T=${NPM_TOKEN}\nUSER a\nHEALTHCHECK CMD true\n',
      ),
    ).toEqual([]);
  });

  test('apt lists: kept without rm in the same RUN, fine with a cache mount', () => {
    expect(
      rules(
        'FROM b:1\nRUN apt-get update && apt-get install -y x\nRUN rm -rf /var/lib/apt/lists/*\nUSER a\nHEALTHCHECK CMD true\n',
      ),
    ).toEqual(['2 DF005']);
    expect(
      rules(
        'FROM b:1\nRUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y x\nUSER a\nHEALTHCHECK CMD true\n',
      ),
    ).toEqual([]);
  });

  test('a compose healthcheck / non-root user on every service built from it covers the image', () => {
    const df = 'FROM prom/prometheus:v2.53.2\nCOPY a /a\n';
    expect(lintDockerfile(df, 'D', { healthcheck: true, user: false }).map((f) => f.rule)).toEqual(['DF002']);
    expect(lintDockerfile(df, 'D', { healthcheck: true, user: true })).toEqual([]);
  });

  test('not a Dockerfile', () => {
    expect(rules('# nothing\n')).toEqual(['1 DF000']);
  });
});
