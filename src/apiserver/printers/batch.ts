// Jobs and CronJobs.

import type { KubeObject } from '../../api/meta.js';
import type { TablePrinter } from '../registry/strategy.js';
import { humanDuration, parseTime, timeSince } from './age.js';
import { age, ageColumn, arr, column, CONTAINERS_COLUMN, containerCells, formatLabelSelector, IMAGES_COLUMN, int, nameColumn, nameOf, obj, spec, status, str } from './columns.js';

/** True when the condition of this type is present and True (the first match decides). */
function jobCondition(job: KubeObject, type: string): boolean {
  const condition = arr(status(job).conditions).map(obj).find((c) => c.type === type);
  return condition?.status === 'True';
}

export function jobStatus(job: KubeObject): string {
  if (jobCondition(job, 'Complete')) return 'Complete';
  if (jobCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (jobCondition(job, 'Suspended')) return 'Suspended';
  if (jobCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export function jobCompletions(job: KubeObject): string {
  const jobSpec = spec(job);
  const succeeded = int(status(job).succeeded);
  if (typeof jobSpec.completions === 'number') return `${succeeded}/${jobSpec.completions}`;
  const parallelism = int(jobSpec.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

export function jobDuration(job: KubeObject, now: Date): string {
  const start = parseTime(status(job).startTime);
  if (!start) return '';
  const end = parseTime(status(job).completionTime) ?? now;
  return humanDuration(end.getTime() - start.getTime());
}

export const jobPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'Complete, Failed, Running, Suspended or Terminating.'),
    column('Completions', 'string', 'Succeeded pods out of the completions wanted.'),
    column('Duration', 'string', 'How long the job ran, or has been running.'),
    ageColumn(),
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column('Selector', 'string', 'The label selector of the job\'s pods.', 1),
  ],
  cells(job: KubeObject, now: Date): unknown[] {
    const [containers, images] = containerCells(obj(spec(job).template).spec);
    return [nameOf(job), jobStatus(job), jobCompletions(job), jobDuration(job, now), age(job, now), containers, images, formatLabelSelector(spec(job).selector)];
  },
};

export const cronJobPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Schedule', 'string', 'When jobs are started, in cron syntax.'),
    column('Timezone', 'string', 'The time zone the schedule is read in.'),
    column('Suspend', 'boolean', 'Whether new runs are held back.'),
    column('Active', 'integer', 'Jobs of this cron job that are running now.'),
    column('Last Schedule', 'string', 'Time since a job was last started.'),
    ageColumn(),
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column('Selector', 'string', 'The label selector of the jobs\' pods.', 1),
  ],
  cells(cj: KubeObject, now: Date): unknown[] {
    const cjSpec = spec(cj);
    const jobSpec = obj(obj(cjSpec.jobTemplate).spec);
    const [containers, images] = containerCells(obj(jobSpec.template).spec);
    const last = status(cj).lastScheduleTime;
    const suspend = typeof cjSpec.suspend === 'boolean' ? (cjSpec.suspend ? 'True' : 'False') : '<unset>';
    return [
      nameOf(cj),
      str(cjSpec.schedule),
      typeof cjSpec.timeZone === 'string' ? cjSpec.timeZone : '<none>',
      suspend,
      arr(status(cj).active).length,
      last ? timeSince(last, now) : '<none>',
      age(cj, now),
      containers,
      images,
      formatLabelSelector(jobSpec.selector),
    ];
  },
};
