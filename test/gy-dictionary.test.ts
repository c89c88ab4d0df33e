/**
 * Our Diameter dictionary against freeDiameter's (Debian's dict_dcca and dict_dcca_3gpp, the RFC
 * 4006 and TS 32.299 dictionaries a real peer loads): every AVP we know has the code, vendor and
 * name freeDiameter gives it and a type of the same wire base, and every member freeDiameter puts
 * in a group we read (Multiple-Services-Credit-Control, Service-Information, IMS-Information,
 * SMS-Information …) is one we know, so that no CCR carrying it is refused 5001. freeDiameter's
 * dictionary is read from the daemon itself, through a small extension (test/freediameter/dict_dump.c).
 * freeDiameter missing is a failure, not a skip.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AVPS, avpDefinition, type AvpType } from '../network/diameter/dictionary';
import { assertFreeDiameterInstalled, baseConfig, compileExtension, FD_EXTENSIONS } from './helpers/freediameter';
import { freePort } from './helpers/ports';

interface FdAvp {
  name: string;
  code: number;
  vendorId: number;
  baseType: string;
  members: string[];
}

/** freeDiameter's dictionary as fd_dict_dump writes it: vendors, each followed by its AVPs, each by its rules. */
function parseDump(text: string): Map<string, FdAvp> {
  const avps = new Map<string, FdAvp>();
  let vendorId = 0;
  let current: FdAvp | undefined;
  for (const line of text.split('\n')) {
    const vendor = /VENDOR p:\S+ data: (\d+)/.exec(line);
    if (vendor) vendorId = Number(vendor[1]);
    const avp = /AVP p:\S+ data: v\/m:\S+,\s+(\w+), (\d+)\s+"([^"]+)"/.exec(line);
    if (avp) {
      current = { name: avp[3], code: Number(avp[2]), vendorId, baseType: avp[1], members: [] };
      avps.set(current.name, current);
      continue;
    }
    const rule = /RULE p:\S+ data: .* avp:"([^"]+)"/.exec(line);
    if (rule && current) current.members.push(rule[1]);
  }
  return avps;
}

/** The base type of RFC 6733 §4.2 each of our types is carried as, in freeDiameter's words. */
const BASE_TYPE: Record<AvpType, string> = {
  OctetString: 'OCTETSTRING',
  UTF8String: 'OCTETSTRING',
  DiameterIdentity: 'OCTETSTRING',
  DiameterURI: 'OCTETSTRING',
  Address: 'OCTETSTRING',
  Time: 'OCTETSTRING',
  Integer32: 'INTEGER32',
  Enumerated: 'INTEGER32',
  Integer64: 'INTEGER64',
  Unsigned32: 'UNSIGNED32',
  Unsigned64: 'UNSIGNED64',
  Grouped: 'GROUPED',
};

async function dumpFreeDiameterDictionary(): Promise<string> {
  assertFreeDiameterInstalled();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gy-dictionary-'));
  try {
    const extension = compileExtension('dict_dump', dir);
    const output = path.join(dir, 'dictionary.txt');
    const conf = path.join(dir, 'freeDiameter.conf');
    fs.writeFileSync(
      conf,
      [
        ...baseConfig({ port: await freePort(), secPort: await freePort() }),
        `LoadExtension = "${FD_EXTENSIONS}/dict_nasreq.fdx";`,
        `LoadExtension = "${FD_EXTENSIONS}/dict_dcca.fdx";`,
        `LoadExtension = "${FD_EXTENSIONS}/dict_dcca_3gpp.fdx";`,
        `LoadExtension = "${extension}" : "${output}";`,
        '',
      ].join('\n'),
    );
    const log = path.join(dir, 'freeDiameterd.log');
    const fd = spawn('freeDiameterd', ['-c', conf], { stdio: ['ignore', fs.openSync(log, 'w'), fs.openSync(log, 'a')] });
    const exited = new Promise<void>((resolve) => fd.once('exit', () => resolve()));
    try {
      for (const until = Date.now() + 30_000; !fs.existsSync(output); await new Promise((r) => setTimeout(r, 100))) {
        if (fd.exitCode !== null || Date.now() > until) throw new Error(`freeDiameterd wrote no dictionary:\n${fs.readFileSync(log, 'utf8').slice(-3000)}`);
      }
      return fs.readFileSync(output, 'utf8');
    } finally {
      if (fd.exitCode === null) fd.kill('SIGKILL');
      await exited;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('Gy dictionary against freeDiameter\'s RFC 4006 and TS 32.299 dictionaries', () => {
  let theirs: Map<string, FdAvp>;
  let byCode: Map<string, FdAvp>;

  beforeAll(async () => {
    theirs = parseDump(await dumpFreeDiameterDictionary());
    byCode = new Map([...theirs.values()].map((a) => [`${a.vendorId}/${a.code}`, a]));
  }, 60_000);

  it('read freeDiameter\'s dictionary (the 3GPP one included)', () => {
    expect(theirs.get('IMS-Information')).toMatchObject({ code: 876, vendorId: 10415, baseType: 'GROUPED' });
    expect(theirs.get('Multiple-Services-Credit-Control')?.members).toEqual(expect.arrayContaining(['Rating-Group', 'Used-Service-Unit', 'Trigger']));
    expect(theirs.size).toBeGreaterThan(800);
  });

  it('gives every AVP we know the code, vendor and name freeDiameter does, and a type of the same wire base', () => {
    const disagreements = AVPS.flatMap((ours) => {
      const fd = byCode.get(`${ours.vendorId}/${ours.code}`);
      if (!fd) return [`${ours.name} (${ours.vendorId}/${ours.code}): not in freeDiameter's dictionary`];
      if (fd.name.toLowerCase() !== ours.name.toLowerCase()) return [`${ours.name} (${ours.vendorId}/${ours.code}): freeDiameter's is ${fd.name}`];
      // A group we do not read is taken whole, as octets.
      const sameBase = BASE_TYPE[ours.type] === fd.baseType || (ours.type === 'OctetString' && fd.baseType === 'GROUPED');
      return sameBase ? [] : [`${ours.name}: ${ours.type} here, ${fd.baseType} in freeDiameter`];
    });
    expect(disagreements).toEqual([]);
  });

  it('knows every member freeDiameter puts in a group we read, so that no CCR is refused 5001 for one', () => {
    const grouped = AVPS.filter((a) => a.type === 'Grouped');
    expect(grouped.map((a) => a.name)).toEqual(expect.arrayContaining(['Multiple-Services-Credit-Control', 'Service-Information', 'IMS-Information', 'SMS-Information', 'Recipient-Info']));
    const unknown = grouped.flatMap((group) =>
      (theirs.get(group.name)?.members ?? []).flatMap((name) => {
        const member = theirs.get(name)!;
        return avpDefinition(member.code, member.vendorId) ? [] : [`${group.name} > ${name} (${member.vendorId}/${member.code})`];
      }),
    );
    expect(unknown).toEqual([]);
  });
});
