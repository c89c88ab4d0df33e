/**
 * The prepaid lines a running BSS has, read from its TMF654 API, so that the traffic generator
 * plays calls of subscribers the OCS knows (`--subscribers-from`): every bucket lists the numbers
 * of the account's active subscribers as MSISDN logical resources.
 */

const PAGE = 1000;

/** The active prepaid MSISDNs behind `apiBase` (e.g. http://localhost:3000), in order; needs a token that may read every bucket (an admin's). */
export async function fetchPrepaidMsisdns(apiBase: string, token: string): Promise<string[]> {
  const numbers = new Set<string>();
  for (let offset = 0; ; offset += PAGE) {
    const url = `${apiBase.replace(/\/$/, '')}/tmf-api/prepayBalanceManagement/v4/bucket?fields=logicalResource&offset=${offset}&limit=${PAGE}`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as Array<{ logicalResource?: Array<{ id: string; '@referredType'?: string }> }>;
    for (const bucket of page) for (const r of bucket.logicalResource ?? []) if (r['@referredType'] === 'MSISDN') numbers.add(r.id);
    if (page.length < PAGE) break;
  }
  return [...numbers].sort();
}
