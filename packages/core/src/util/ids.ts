import { randomUUID } from 'node:crypto';

/** A UUID4 string, the shape Celery uses for task ids. */
export function newId(): string {
  return randomUUID();
}
