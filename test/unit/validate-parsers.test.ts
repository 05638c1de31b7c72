/** The mapping of each tool's output to findings, with outputs in the tools' own formats (promtool 2.42, actionlint 1.7, pip-audit 2.10, npm 10). */
import { parsePromtool, locateInTestFile } from '../../src/core/validate/checks/prometheus.js';
import { parseActionlint } from '../../src/core/validate/checks/workflows.js';
import { parseAmtool } from '../../src/core/validate/checks/alertmanager.js';
import { parsePipAudit, parseNpmAudit } from '../../src/core/validate/checks/audit.js';
import { grafanaToPromql, lintDashboard } from '../../src/core/validate/checks/dashboards.js';
import { parseJUnit, failureLocation, slowest, testsMarkdown } from '../../src/core/validate/junit.js';

describe('promtool output', () => {
  test('check rules: file: line:col: message', () => {
    const out = `Checking rules.yml\n  FAILED:\nrules.yml: 5:15: group "g", rule 1, "x": could not parse expression: 1:35: parse error: unexpected <by>\n`;
    expect(parsePromtool(out, ['rules.yml'], 'rules.yml')).toEqual([
      {
        file: 'rules.yml',
        line: 5,
        col: 15,
        severity: 'error',
        message: expect.stringMatching(/^group "g".*unexpected <by>$/),
      },
    ]);
  });

  test('check config: YAML errors carry their line', () => {
    const out = `Checking p.yml\n  FAILED: parsing YAML file p.yml: yaml: unmarshal errors:\n  line 7: field bogus not found in type config.ScrapeConfig\n`;
    const f = parsePromtool(out, ['p.yml'], 'p.yml');
    expect(f.map((x) => [x.file, x.line])).toEqual([
      ['p.yml', undefined],
      ['p.yml', 7],
    ]);
  });

  test('test rules: one finding per failing alert or expression, located in the test file', () => {
    const out = `Unit Testing:  t.yml\n  FAILED:\n    alertname: Foo, time: 5m, \n        exp:[], \n        got:[...]\n    expr: "up", time: 1m,\n        exp: 1\n        got: 0\n`;
    const f = parsePromtool(out, ['t.yml'], 't.yml');
    expect(f).toHaveLength(2);
    expect(f[0].message).toMatch(/^alertname: Foo[\s\S]*got:\[\.\.\.\]$/);
    const text =
      'tests:\n  - alert_rule_test:\n      - eval_time: 5m\n        alertname: Foo\n    promql_expr_test:\n      - expr: up\n';
    expect(locateInTestFile(text, f[0].message)).toBe(4);
    expect(locateInTestFile(text, f[1].message)).toBe(6);
  });
});

test('amtool output: YAML lines, or the line naming the receiver', () => {
  const yamlErr =
    "Checking 'a.yml'  FAILED: yaml: unmarshal errors:\n  line 3: field bogus not found in type config.plain\n";
  expect(parseAmtool(yamlErr, 'a.yml', '')).toEqual([
    expect.objectContaining({ file: 'a.yml', line: 3, message: expect.stringMatching(/field bogus/) }),
  ]);
  const ref = `Checking 'a.yml'  FAILED: undefined receiver "nope" used in route\n`;
  expect(parseAmtool(ref, 'a.yml', 'route:\n  receiver: nope\n')[0].line).toBe(2);
  expect(parseAmtool("Checking 'a.yml'  SUCCESS\n", 'a.yml', '')).toEqual([]);
});

test('actionlint JSON → findings', () => {
  const json = JSON.stringify([
    {
      message: 'input "x" is not defined',
      filepath: '.github/workflows/ci.yml',
      line: 12,
      column: 11,
      kind: 'action',
      snippet: '',
    },
  ]);
  expect(parseActionlint(json)).toEqual([
    {
      file: '.github/workflows/ci.yml',
      line: 12,
      col: 11,
      severity: 'error',
      rule: 'action',
      message: 'input "x" is not defined',
    },
  ]);
  expect(parseActionlint('')).toEqual([]);
  expect(parseActionlint('null')).toEqual([]);
});

describe('dependency audits', () => {
  test('pip-audit: vulnerabilities at the requirement line; unanswered packages listed', () => {
    const json = JSON.stringify({
      dependencies: [
        {
          name: 'jinja2',
          version: '3.1.2',
          vulns: [{ id: 'GHSA-h5c8-rqwp-cp95', fix_versions: ['3.1.3'], aliases: ['CVE-2024-22195'] }],
        },
        { name: 'redis', version: '5.0.8', vulns: [] },
        { name: 'celery', skip_reason: 'Dependency not found on PyPI' },
      ],
    });
    const r = parsePipAudit(json, 'requirements.txt', 'redis==5.0.8\nJinja2==3.1.2\n');
    expect(r.audited).toBe(2);
    expect(r.unaudited).toEqual(['celery: Dependency not found on PyPI']);
    expect(r.findings).toEqual([
      expect.objectContaining({
        file: 'requirements.txt',
        line: 2,
        rule: 'GHSA-h5c8-rqwp-cp95',
        severity: 'error',
      }),
    ]);
    expect(r.findings[0].message).toMatch(/fixed in 3\.1\.3/);
  });

  test('npm audit: high is an error, moderate a warning; a registry error is reported, not passed', () => {
    const lock =
      '{\n  "packages": {\n    "node_modules/braces": {\n      "version": "3.0.2"\n    }\n  }\n}\n';
    const json = JSON.stringify({
      vulnerabilities: {
        braces: {
          name: 'braces',
          severity: 'high',
          range: '<3.0.3',
          via: [{ title: 'Uncontrolled resource consumption' }],
          fixAvailable: true,
        },
        micromatch: {
          name: 'micromatch',
          severity: 'moderate',
          range: '<4.0.8',
          via: ['braces'],
          fixAvailable: true,
        },
      },
    });
    const r = parseNpmAudit(json, 'package-lock.json', lock);
    expect(r.findings.map((f) => [f.line, f.severity])).toEqual([
      [3, 'error'],
      [undefined, 'warning'],
    ]);
    const err = parseNpmAudit(
      JSON.stringify({ message: '405 Method Not Allowed', statusCode: 405, error: { summary: '' } }),
      'package-lock.json',
      lock,
    );
    expect(err.error).toMatch(/405/);
  });
});

describe('dashboards', () => {
  test("Grafana's variables become PromQL the parser accepts; quoted text is kept", () => {
    expect(grafanaToPromql('rate(x{job="$job"}[$__rate_interval])')).toBe('rate(x{job="$job"}[5m])');
    expect(grafanaToPromql('topk($n, x) offset $off')).toBe('topk(1, x) offset 5m');
    expect(grafanaToPromql('x[${__range}]')).toBe('x[5m]');
  });

  test('a sound dashboard has no finding; an API export wrapper is unwrapped', () => {
    const dash = {
      uid: 'a',
      templating: {
        list: [
          { name: 'ds', type: 'datasource', query: 'prometheus' },
          { name: 'job', type: 'query', query: 'label_values(up{job=~".+"}, job)' },
        ],
      },
      panels: [
        { type: 'row', title: 'r', panels: [] },
        { title: 'p', datasource: { uid: '${ds}' }, targets: [{ expr: 'sum(rate(x[$__rate_interval]))' }] },
        { title: 'q', targets: [{ datasource: '$ds', expr: 'up' }] },
      ],
    };
    expect(lintDashboard(JSON.stringify(dash, null, 2), 'd.json', new Map())).toEqual([]);
    expect(lintDashboard(JSON.stringify({ dashboard: dash }), 'e.json', new Map())).toEqual([]);
  });

  test('invalid JSON is reported at its position', () => {
    const f = lintDashboard('{\n  "uid": "a",\n  oops\n}', 'd.json', new Map());
    expect(f).toEqual([expect.objectContaining({ file: 'd.json', line: 3, rule: 'DASH001' })]);
  });
});

describe('JUnit reports', () => {
  const xunit1 = `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="3">
<testcase classname="tests.test_api" name="test_ok" file="tests/test_api.py" line="9" time="0.250"/>
<testcase classname="tests.test_api" name="test_bad" file="tests/test_api.py" line="19" time="1.5"><failure message="assert 60 == 70&#10;second line">def test_bad():
&gt;       assert total == 70
E       assert 60 == 70

tests/helpers.py:3: in total
    x()
tests/test_api.py:22: AssertionError</failure></testcase>
<testcase classname="tests.test_api" name="test_skip" file="tests/test_api.py" line="30" time="0"><skipped type="pytest.skip" message="not ready">skip</skipped></testcase>
</testsuite></testsuites>`;

  test('xunit1: outcomes, times, the failing line in the test file (not the helper frame)', () => {
    const r = parseJUnit(xunit1);
    expect([r.passed, r.failed, r.errors, r.skipped]).toEqual([1, 1, 0, 1]);
    const bad = r.cases.find((c) => c.name === 'test_bad')!;
    expect(bad).toMatchObject({
      id: 'tests.test_api::test_bad',
      file: 'tests/test_api.py',
      line: 22,
      outcome: 'failed',
      seconds: 1.5,
    });
    expect(bad.message).toBe('assert 60 == 70\nsecond line');
    expect(r.cases.find((c) => c.name === 'test_ok')!.line).toBe(10); // pytest's line is 0-based
    expect(slowest(r, 1)[0].name).toBe('test_bad');
    expect(testsMarkdown(r, 'compose/api/')).toMatch(
      /\| 1 \| 1 \| 0 \| 1 \| 1\.8s \|[\s\S]*compose\/api\/tests\/test_api.py:22/,
    );
  });

  test('xunit2 (no file attribute): the file comes from the classname, errors are counted apart', () => {
    const r = parseJUnit(
      `<testsuite name="pytest"><testcase classname="tests.test_x.TestY" name="test_z" time="0.1"><error message="fixture failed">E boom</error></testcase></testsuite>`,
    );
    expect(r.errors).toBe(1);
    expect(r.cases[0]).toMatchObject({
      file: 'tests/test_x.py',
      outcome: 'error',
      message: 'fixture failed',
    });
  });

  test('a file that is not JUnit is refused', () => {
    expect(() => parseJUnit('<html></html>')).toThrow(/not a JUnit report/);
  });

  test('failure location falls back to the last frame when none is in the test file', () => {
    expect(failureLocation('a/b.py:3: in f\nc/d.py:9: Error', 'tests/t.py')).toEqual({
      file: 'c/d.py',
      line: 9,
    });
    expect(failureLocation('no frames', 'tests/t.py')).toBeUndefined();
  });
});
