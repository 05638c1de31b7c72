/** Dockerfile reading: stages and bases after ARG substitution, and the failing line from build logs. */
import { externalBases, failingStep, parseDockerfile, stagesOf } from '../../src/core/images/dockerfile.js';

const DOCKERFILE = `# syntax=docker/dockerfile:1
ARG PYTHON_IMAGE=python:3.11-slim
ARG TAG
FROM \${PYTHON_IMAGE} AS build
RUN apt-get update \\
    && apt-get install -y make
COPY . /src
FROM --platform=linux/amd64 build AS test
RUN make test
FROM scratch
COPY --from=build /src /src
`;

describe('Dockerfile', () => {
  const ins = parseDockerfile(DOCKERFILE);

  it('joins continuation lines and keeps the first line number', () => {
    expect(ins.find((i) => i.keyword === 'RUN')).toEqual({
      line: 5,
      keyword: 'RUN',
      args: 'apt-get update && apt-get install -y make',
    });
  });

  it('resolves bases with build args first, then ARG defaults; stages and scratch are not external', () => {
    expect(externalBases(ins, {})).toEqual(['python:3.11-slim']);
    expect(externalBases(ins, { PYTHON_IMAGE: 'erp-deploy/python:offline' })).toEqual([
      'erp-deploy/python:offline',
    ]);
    expect(stagesOf(ins, {}).map((s) => [s.base, s.name, s.fromStage])).toEqual([
      ['python:3.11-slim', 'build', false],
      ['build', 'test', true],
      ['scratch', undefined, true],
    ]);
  });

  it('finds the failing step in a BuildKit log', () => {
    const log = [
      '#9 [test 2/2] RUN make test',
      '#9 0.301 make: *** No rule to make target',
      '#9 ERROR: executor failed running [/bin/sh -c make test]: exit code: 2',
      '------',
      ' > [test 2/2] RUN make test:',
      '------',
      'executor failed running [/bin/sh -c make test]: exit code: 2',
    ].join('\n');
    expect(failingStep(log, ins)).toEqual({ step: 'RUN make test', line: 9 });
  });

  it('prefers the Dockerfile:N line newer BuildKit prints, and reads legacy Step lines', () => {
    expect(
      failingStep(' > [build 2/3] RUN apt-get update &&     apt-get install -y make:\nDockerfile:5\n', ins)
        ?.line,
    ).toBe(5);
    const legacy =
      'Step 1/7 : ARG PYTHON_IMAGE=python:3.11-slim\nStep 5/7 : COPY . /src\nCOPY failed: file not found';
    expect(failingStep(legacy, ins)).toEqual({ step: 'COPY . /src', line: 7 });
    expect(failingStep('no steps here', ins)).toBeUndefined();
  });
});
