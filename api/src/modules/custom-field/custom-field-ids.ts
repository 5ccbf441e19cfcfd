// Turns custom field inputs from global ids into row ids (and filter values into the text
// they are stored as).
import { badInput } from '../../errors/app-error';
import { fromGlobalId } from '../../graphql/global-id';
import { filterText, MAX_FIELDS_PER_PROJECT, type FieldValueCommand } from './custom-field-value';
import type { CustomFieldFilter, CustomFieldValueInput } from './custom-field.type';

export function decodeFieldValues(values: readonly CustomFieldValueInput[], field: string): FieldValueCommand[] {
  if (values.length > MAX_FIELDS_PER_PROJECT) throw badInput(field, `At most ${MAX_FIELDS_PER_PROJECT} values at once`);
  return values.map((value) => ({ fieldId: fromGlobalId('CustomField', value.fieldId, field), value: value.value ?? null }));
}

export function decodeFieldFilters(filters: readonly CustomFieldFilter[]): { fieldId: string; text: string | null }[] {
  if (filters.length > MAX_FIELDS_PER_PROJECT) throw badInput('customFields', `At most ${MAX_FIELDS_PER_PROJECT} custom field filters`);
  return filters.map((filter) => ({ fieldId: fromGlobalId('CustomField', filter.fieldId, 'customFields'), text: filterText(filter.equals) }));
}
