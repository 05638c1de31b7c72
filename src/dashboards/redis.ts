/** Redis, the Celery broker: availability, memory against maxmemory, clients, commands, keyspace, AOF. */
import { type DashboardSpec, rate } from './panels.js';

export const redis: DashboardSpec = {
  uid: 'erp-redis',
  title: 'ERP / Redis',
  description: 'The broker: up, memory against maxmemory (noeviction), clients, command rate, keyspace, AOF.',
  file: 'redis.json',
  tags: ['erp', 'redis'],
  panels: [
    {
      kind: 'stat',
      title: 'Redis up',
      description: '1 when redis-exporter reaches Redis with the password.',
      queries: [{ expr: 'max(redis_up)' }],
    },
    {
      kind: 'stat',
      title: 'Memory used of max',
      description: 'Used memory against maxmemory; RedisMemoryHigh fires above 80 %.',
      queries: [{ expr: 'max(redis_memory_used_bytes / redis_memory_max_bytes)' }],
      unit: 'percentunit',
    },
    {
      kind: 'stat',
      title: 'Connected clients',
      description: 'Client connections (maxclients 1000; RedisTooManyConnections fires above 800).',
      queries: [{ expr: 'sum(redis_connected_clients)' }],
    },
    {
      kind: 'stat',
      title: 'Keys',
      description: 'Keys in all databases (ERP records, queues, task results).',
      queries: [{ expr: 'sum(redis_db_keys)' }],
    },
    {
      kind: 'stat',
      title: 'AOF enabled',
      description: '1 when append-only persistence is on (it must be: queued tasks must survive restarts).',
      queries: [{ expr: 'max(redis_aof_enabled)' }],
    },
    {
      kind: 'stat',
      title: 'Evicted keys',
      description: 'Keys evicted in the time range: must stay 0 with maxmemory-policy noeviction.',
      queries: [{ expr: `sum(increase(redis_evicted_keys_total[$__range]))` }],
    },
    {
      kind: 'timeseries',
      title: 'Memory',
      description: 'Used, RSS and maxmemory.',
      queries: [
        { expr: 'redis_memory_used_bytes', legend: 'used' },
        { expr: 'redis_memory_used_rss_bytes', legend: 'rss' },
        { expr: 'redis_memory_max_bytes', legend: 'max' },
      ],
      unit: 'bytes',
    },
    {
      kind: 'timeseries',
      title: 'Commands/s',
      description: 'Commands Redis processed per second.',
      queries: [{ expr: `sum(${rate('redis_commands_processed_total')})`, legend: 'commands' }],
      unit: 'ops',
    },
    {
      kind: 'timeseries',
      title: 'Clients',
      description: 'Connected and blocked clients (workers wait in BRPOP: blocked is normal).',
      queries: [
        { expr: 'sum(redis_connected_clients)', legend: 'connected' },
        { expr: 'sum(redis_blocked_clients)', legend: 'blocked' },
      ],
    },
    {
      kind: 'timeseries',
      title: 'Keyspace hit ratio',
      description: 'Share of key lookups that found the key.',
      queries: [
        {
          expr: `sum(${rate('redis_keyspace_hits_total')}) / (sum(${rate('redis_keyspace_hits_total')}) + sum(${rate('redis_keyspace_misses_total')}))`,
          legend: 'hit ratio',
        },
      ],
      unit: 'percentunit',
    },
    {
      kind: 'timeseries',
      title: 'Keys by database',
      description: 'Keys per Redis database.',
      queries: [{ expr: 'sum by (db) (redis_db_keys)', legend: '{{db}}' }],
    },
    {
      kind: 'timeseries',
      title: 'AOF size',
      description: 'Current append-only file size; it shrinks after a rewrite.',
      queries: [{ expr: 'redis_aof_current_size_bytes', legend: 'aof' }],
      unit: 'bytes',
    },
  ],
};
