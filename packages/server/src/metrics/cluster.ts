import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { MetricsListener } from './http.js';

/**
 * `parley serve --workers N`: each worker is a process with its own metrics, and workers share
 * ports, so a scrape of one would reach whichever worker the primary picked. Instead the primary
 * serves PARLEY_METRICS_PORT and asks every worker for its figures over the cluster's IPC channel,
 * summing them (prom-client's AggregatorRegistry; a metric's `aggregator` says when not to sum).
 */

/** In a worker: answer the primary's requests with this registry; true when this is a worker. */
export function answerPrimary(registry: Registry): boolean {
  if (!cluster.isWorker) return false;
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs the worker's IPC listener.
  new AggregatorRegistry();
  return true;
}

/** In the primary: a metrics listener whose answer is every worker's figures together. */
export async function listenForWorkers(host: string, port: number): Promise<{ port: number; close(): Promise<void> }> {
  const all = new AggregatorRegistry();
  const listener = new MetricsListener({ metrics: () => all.clusterMetrics(), contentType: all.contentType });
  return { port: await listener.listen(host, port), close: () => listener.close() };
}
