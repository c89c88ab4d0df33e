/**
 * Does an event match a TMF hub listener's `query`? The query is a URL query string of equality
 * conditions on dotted paths of the event (`eventType=ProductOfferingCreateEvent,ProductOfferingDeleteEvent`,
 * `event.productOffering.lifecycleStatus=Launched`); a comma list means any of the values; every
 * condition must hold. An empty query matches every event.
 */
export function eventMatchesQuery(event: Record<string, unknown>, query: string | null | undefined): boolean {
  if (!query) return true;
  const params = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  for (const [path, expected] of params) {
    const actual = valueAt(event, path.split('.'));
    if (actual === undefined || actual === null || typeof actual === 'object') return false;
    const accepted = expected.split(',').map((v) => v.trim());
    if (!accepted.includes(String(actual))) return false;
  }
  return true;
}

function valueAt(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
