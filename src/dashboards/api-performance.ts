/** API performance: traffic, errors and latency per route template, the Redis client pool, the SLO burn. */
import { type DashboardSpec, rate } from './panels.js';

const API = 'job="api"';
const quantile = (q: number, by: string): string =>
  `histogram_quantile(${q}, sum by (${by}) (${rate(`http_request_duration_seconds_bucket{${API}}`)}))`;

export const apiPerformance: DashboardSpec = {
  uid: 'erp-api-performance',
  title: 'ERP / API performance',
  description:
    'FastAPI request rate, errors and latency by route template; Redis client pool; SLO burn rate.',
  file: 'api-performance.json',
  tags: ['erp', 'api'],
  panels: [
    {
      kind: 'stat',
      title: 'Requests/s',
      description: 'All API requests per second.',
      queries: [{ expr: `sum(${rate(`http_requests_total{${API}}`)})` }],
      unit: 'reqps',
    },
    {
      kind: 'stat',
      title: 'p95 latency',
      description: '95th percentile of request duration over all routes.',
      queries: [{ expr: quantile(0.95, 'le') }],
      unit: 's',
    },
    {
      kind: 'stat',
      title: 'Requests under 250 ms',
      description: 'Share of requests that finished within 250 ms.',
      queries: [
        {
          expr: `sum(${rate(`http_request_duration_seconds_bucket{${API},le="0.25"}`)}) / sum(${rate(`http_request_duration_seconds_count{${API}}`)})`,
        },
      ],
      unit: 'percentunit',
    },
    {
      kind: 'stat',
      title: 'Error budget burn (1 h)',
      description: 'How fast the 7-day error budget (0.5 %) burns: 1 = exactly on budget, 14.4 pages.',
      queries: [{ expr: `job:slo_errors_per_request:ratio_rate1h{${API}} / 0.005` }],
    },
    {
      kind: 'stat',
      title: 'Requests in progress',
      description: 'Requests being served right now.',
      queries: [{ expr: `sum(http_requests_inprogress{${API}})` }],
    },
    {
      kind: 'stat',
      title: 'Release',
      description: 'The release the running API reports (erp_build_info).',
      queries: [{ expr: `max by (release, version) (erp_build_info{${API}})`, legend: '{{release}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Requests/s by route',
      description: 'Per route template (handler); unknown paths are grouped as "none".',
      queries: [{ expr: `sum by (handler) (${rate(`http_requests_total{${API}}`)})`, legend: '{{handler}}' }],
      unit: 'reqps',
    },
    {
      kind: 'timeseries',
      title: 'Requests/s by status',
      description: 'Status groups 2xx, 3xx, 4xx, 5xx.',
      queries: [{ expr: `sum by (status) (${rate(`http_requests_total{${API}}`)})`, legend: '{{status}}' }],
      unit: 'reqps',
    },
    {
      kind: 'timeseries',
      title: 'Latency percentiles',
      description: 'p50, p95 and p99 of request duration over all routes.',
      queries: [
        { expr: quantile(0.5, 'le'), legend: 'p50' },
        { expr: quantile(0.95, 'le'), legend: 'p95' },
        { expr: quantile(0.99, 'le'), legend: 'p99' },
      ],
      unit: 's',
    },
    {
      kind: 'timeseries',
      title: 'p95 latency by route',
      description: '95th percentile per route template.',
      queries: [{ expr: quantile(0.95, 'handler, le'), legend: '{{handler}}' }],
      unit: 's',
    },
    {
      kind: 'timeseries',
      title: '5xx ratio',
      description: 'Share of requests that answered 5xx; the ApiHighErrorRate alert fires above 5 %.',
      queries: [
        {
          expr: `(sum(${rate(`http_requests_total{${API},status="5xx"}`)}) or vector(0)) / sum(${rate(`http_requests_total{${API}}`)})`,
          legend: '5xx ratio',
        },
      ],
      unit: 'percentunit',
    },
    {
      kind: 'timeseries',
      title: 'Redis client pool',
      description: 'Connections of the API process to Redis: in use, idle, and the pool maximum.',
      queries: [
        { expr: `sum by (state) (redis_client_pool_connections{${API}})`, legend: '{{state}}' },
        { expr: `max(redis_client_pool_max_connections{${API}})`, legend: 'max' },
      ],
    },
    {
      kind: 'timeseries',
      title: 'Redis client errors/s',
      description: 'Redis commands from the API that failed (connection, timeout, server error).',
      queries: [{ expr: `sum(${rate(`redis_client_errors_total{${API}}`)})`, legend: 'errors' }],
    },
  ],
};
