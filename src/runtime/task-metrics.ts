/** Per-task counters; the client aggregates them into `streams.metrics()`. Plain fields: hot-path cheap. */
export class TaskMetrics {
  processedRecords = 0;
  skippedRecords = 0;
  droppedLateRecords = 0;
  punctuations = 0;
  restoredRecords = 0;
}
