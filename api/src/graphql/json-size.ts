// The size in bytes of a value as JSON (UTF-8), measured without building the JSON: a result
// too large to send must be refused before JSON.stringify doubles it in memory.

// Characters JSON.stringify escapes or that take more than one UTF-8 byte.
const SPECIAL = /["\\\u0000-\u001f\u007f-\uffff]/;

export function jsonStringBytes(text: string): number {
  if (!SPECIAL.test(text)) return text.length + 2;
  let bytes = 2;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d) bytes += 2;
    else if (c < 0x20) bytes += 6;
    else if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      // A pair is one 4-byte character; a lone surrogate is written as \udxxx.
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 6;
    } else if (c >= 0xdc00 && c <= 0xdfff) bytes += 6;
    else bytes += 3;
  }
  return bytes;
}

/** Bytes of `value` as JSON; stops counting (and returns a number above `limit`) once past it. */
export function jsonBytes(value: unknown, limit = Number.POSITIVE_INFINITY): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') total += jsonStringBytes(item);
    else if (typeof item === 'number') total += Number.isFinite(item) ? String(item).length : 4;
    else if (typeof item === 'boolean') total += item ? 4 : 5;
    else if (item === null || item === undefined) total += 4;
    else if (Array.isArray(item)) {
      total += 2 + Math.max(item.length - 1, 0);
      for (const element of item) stack.push(element);
    } else if (typeof item === 'object') {
      const toJSON = (item as { toJSON?: () => unknown }).toJSON;
      if (typeof toJSON === 'function') {
        stack.push(toJSON.call(item));
        continue;
      }
      // JSON.stringify leaves out undefined members (and their commas). Keys, not entries: this
      // runs over every response, and an array per member was a tenth of its cost.
      const object = item as Record<string, unknown>;
      let members = 0;
      for (const key of Object.keys(object)) {
        const element = object[key];
        if (element === undefined) continue;
        members++;
        total += jsonStringBytes(key) + 1;
        stack.push(element);
      }
      total += 2 + Math.max(members - 1, 0);
    }
    if (total > limit) return total;
  }
  return total;
}
