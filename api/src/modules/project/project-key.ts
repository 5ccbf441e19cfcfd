// Project keys: the prefix of every issue key, so they are short, upper-case and immutable.
import { badInput } from '../../errors/app-error';

const PROJECT_KEY = /^[A-Z][A-Z0-9]{1,9}$/;

export function assertProjectKey(key: string, field = 'key'): void {
  if (!PROJECT_KEY.test(key)) throw badInput(field, 'Project key must be 2-10 upper-case letters or digits, starting with a letter');
}
