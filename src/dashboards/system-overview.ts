/** System overview: is everything up, how busy is the API, do tasks flow, how much host is left. */
import { type DashboardSpec, rate } from './panels.js';

const API = 'job="api"';

export const systemOverview: DashboardSpec = {
  uid: 'erp-system-overview',
  title: 'ERP / System overview',
  description:
    'Every service at a glance: scrape targets, API traffic and errors, Celery workers, Redis, host.',
  file: 'system-overview.json',
  tags: ['erp', 'overview'],
  panels: [
    {
      kind: 'stat',
      title: 'Targets up',
      description: 'Scrape targets answering (of all configured).',
      queries: [{ expr: 'sum(up)' }],
    },
    {
      kind: 'stat',
      title: 'Targets down',
      description: 'Scrape targets that did not answer their last scrape: anything above 0 needs a look.',
      queries: [{ expr: 'count(up == 0) or vector(0)' }],
    },
    {
      kind: 'stat',
      title: 'API requests/s',
      description: 'Requests per second the API answered (health probes and /metrics excluded).',
      queries: [{ expr: `sum(${rate(`http_requests_total{${API}}`)})` }],
      unit: 'reqps',
    },
    {
      kind: 'stat',
      title: 'API 5xx ratio',
      description: 'Share of API requests that answered 5xx.',
      queries: [
        {
          expr: `(sum(${rate(`http_requests_total{${API},status="5xx"}`)}) or vector(0)) / sum(${rate(`http_requests_total{${API}}`)})`,
        },
      ],
      unit: 'percentunit',
    },
    {
      kind: 'stat',
      title: 'Celery workers',
      description: 'Workers answering a ping.',
      queries: [{ expr: 'sum(celery_workers)' }],
    },
    {
      kind: 'stat',
      title: 'Alerts firing',
      description: 'Alerts in state firing (details in Alertmanager).',
      queries: [{ expr: 'count(ALERTS{alertstate="firing"}) or vector(0)' }],
    },
    {
      kind: 'timeseries',
      title: 'Scrape targets by job',
      description: '1 when Prometheus scraped the job successfully, 0 when not.',
      queries: [{ expr: 'min by (job) (up)', legend: '{{job}}' }],
      min: 0,
      max: 1,
    },
    {
      kind: 'timeseries',
      title: 'API availability (7-day SLO 99.5 %)',
      description: 'Share of requests without a 5xx over the rolling SLO window (recording rule).',
      queries: [{ expr: `job:slo_availability:ratio_rate7d{${API}}`, legend: 'availability' }],
      unit: 'percentunit',
    },
    {
      kind: 'timeseries',
      title: 'Host CPU busy',
      description: 'Share of CPU time not idle, per host.',
      queries: [
        {
          expr: `1 - avg by (instance) (${rate('node_cpu_seconds_total{mode="idle"}')})`,
          legend: '{{instance}}',
        },
      ],
      unit: 'percentunit',
      min: 0,
      max: 1,
    },
    {
      kind: 'timeseries',
      title: 'Host memory available',
      description: 'Share of memory the kernel can hand out without swapping.',
      queries: [
        { expr: 'node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes', legend: '{{instance}}' },
      ],
      unit: 'percentunit',
      min: 0,
      max: 1,
    },
    {
      kind: 'timeseries',
      title: 'Disk space free',
      description: 'Share of each real filesystem that is free (Redis AOF and Prometheus TSDB live here).',
      queries: [
        {
          expr: 'node_filesystem_avail_bytes{fstype!~"tmpfs|ramfs|squashfs"} / node_filesystem_size_bytes',
          legend: '{{instance}} {{mountpoint}}',
        },
      ],
      unit: 'percentunit',
      min: 0,
      max: 1,
    },
    {
      kind: 'timeseries',
      title: 'Redis memory used',
      description: 'Broker memory against maxmemory (noeviction: writes fail when full).',
      queries: [
        { expr: 'redis_memory_used_bytes', legend: 'used' },
        { expr: 'redis_memory_max_bytes', legend: 'max' },
      ],
      unit: 'bytes',
    },
  ],
};
