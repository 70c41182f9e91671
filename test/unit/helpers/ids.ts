/**
 * Deterministic message ids in the ULID format (26 Crockford base32 characters), increasing in
 * the order they are made, like a monotonic ULID factory within one millisecond.
 */
export const sequentialIds = (prefix = '01J0000000') => {
  let next = 0;
  return (_now?: number): string => {
    next++;
    return `${prefix}${String(next).padStart(26 - prefix.length, '0')}`;
  };
};
