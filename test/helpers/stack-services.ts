/** The stack contract's services (compose/docker-compose.yml); Grafana runs only under the `grafana` profile. */
export const CONTRACT_SERVICES = [
  'api',
  'worker',
  'flower',
  'redis',
  'redis-exporter',
  'prometheus',
  'alertmanager',
  'node-exporter',
  'grafana',
];

/** What runs on this machine: every service but Grafana (no distribution reachable here). */
export const RUNNABLE_SERVICES = CONTRACT_SERVICES.filter((s) => s !== 'grafana');
