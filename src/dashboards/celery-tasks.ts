/** Celery tasks: throughput, failures, retries, run time per task; queue backlog; workers; Flower's view. */
import { type DashboardSpec, rate } from './panels.js';

const byName = (metric: string): string => `sum by (name) (${rate(metric)})`;

export const celeryTasks: DashboardSpec = {
  uid: 'erp-celery-tasks',
  title: 'ERP / Celery tasks',
  description: 'Task throughput, failures, retries and run time per task; queue backlog; workers answering.',
  file: 'celery-tasks.json',
  tags: ['erp', 'celery'],
  panels: [
    {
      kind: 'stat',
      title: 'Workers answering',
      description: 'Workers that answered a ping (CeleryWorkerDown fires at 0).',
      queries: [{ expr: 'sum(celery_workers)' }],
    },
    {
      kind: 'stat',
      title: 'Tasks queued',
      description: 'Messages waiting in all queues.',
      queries: [{ expr: 'sum(celery_queue_length)' }],
    },
    {
      kind: 'stat',
      title: 'Tasks succeeded/s',
      description: 'Successful task runs per second.',
      queries: [{ expr: `sum(${rate('celery_task_succeeded_total')})` }],
      unit: 'ops',
    },
    {
      kind: 'stat',
      title: 'Tasks failed/s',
      description: 'Failed task runs per second (after their retries).',
      queries: [{ expr: `sum(${rate('celery_task_failed_total')}) or vector(0)` }],
      unit: 'ops',
    },
    {
      kind: 'stat',
      title: 'Tasks running',
      description: 'Tasks executing in worker processes now.',
      queries: [{ expr: 'sum(celery_task_inprogress)' }],
    },
    {
      kind: 'stat',
      title: 'Flower: workers online',
      description: 'Workers Flower sees through task events.',
      queries: [{ expr: 'sum(flower_worker_online)' }],
    },
    {
      kind: 'timeseries',
      title: 'Queue length',
      description:
        'Messages waiting per queue (default, invoices, reports); CeleryQueueBacklog fires above 100.',
      queries: [{ expr: 'sum by (queue) (celery_queue_length)', legend: '{{queue}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Tasks sent/s by queue',
      description: 'Task messages published per queue.',
      queries: [{ expr: `sum by (queue) (${rate('celery_task_sent_total')})`, legend: '{{queue}}' }],
      unit: 'ops',
    },
    {
      kind: 'timeseries',
      title: 'Task outcomes/s by task',
      description: 'Succeeded, failed and retried runs per task name.',
      queries: [
        { expr: byName('celery_task_succeeded_total'), legend: '{{name}} succeeded' },
        { expr: byName('celery_task_failed_total'), legend: '{{name}} failed' },
        { expr: byName('celery_task_retried_total'), legend: '{{name}} retried' },
      ],
      unit: 'ops',
    },
    {
      kind: 'timeseries',
      title: 'Failure ratio by task',
      description: 'Share of finished runs that failed; CeleryTaskFailureRate fires above 10 %.',
      queries: [
        {
          expr: `${byName('celery_task_failed_total')} / (${byName('celery_task_failed_total')} + ${byName('celery_task_succeeded_total')})`,
          legend: '{{name}}',
        },
      ],
      unit: 'percentunit',
    },
    {
      kind: 'timeseries',
      title: 'Task run time p95',
      description: '95th percentile of the run time per task.',
      queries: [
        {
          expr: `histogram_quantile(0.95, sum by (name, le) (${rate('celery_task_runtime_seconds_bucket')}))`,
          legend: '{{name}}',
        },
      ],
      unit: 's',
    },
    {
      kind: 'timeseries',
      title: 'Flower: task events/s',
      description: 'Task events Flower receives, by event type.',
      queries: [{ expr: `sum by (type) (${rate('flower_events_total')})`, legend: '{{type}}' }],
      unit: 'ops',
    },
  ],
};
