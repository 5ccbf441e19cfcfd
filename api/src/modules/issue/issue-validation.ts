// Field rules for issues; a violation names the field in extensions.field.
import { badInput } from '../../errors/app-error';

export const TITLE_MAX = 255;
export const DESCRIPTION_MAX = 100_000;
const EARLIEST_DATE = Date.UTC(1970, 0, 1);
const LATEST_DATE = Date.UTC(2200, 0, 1);

export function cleanTitle(title: string): string {
  const trimmed = title.trim();
  if (trimmed.length < 1 || trimmed.length > TITLE_MAX) throw badInput('title', `Title must be 1 to ${TITLE_MAX} characters long`);
  return trimmed;
}

export function checkDescription(description: string | null | undefined): void {
  if (description && description.length > DESCRIPTION_MAX) throw badInput('description', `Description must be at most ${DESCRIPTION_MAX} characters`);
}

export function checkStoryPoints(points: number | null | undefined): void {
  if (points === null || points === undefined) return;
  if (!Number.isFinite(points) || points < 0 || points > 1000) throw badInput('storyPoints', 'storyPoints must be between 0 and 1000');
}

export function checkDate(field: string, date: Date | null | undefined): void {
  if (!date) return;
  const time = date.getTime();
  if (!Number.isFinite(time) || time < EARLIEST_DATE || time > LATEST_DATE) throw badInput(field, `${field} must be between 1970 and 2200`);
}
