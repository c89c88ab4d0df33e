/**
 * The Diameter dictionary this node speaks: the base protocol (RFC 6733), credit control
 * (RFC 4006 / RFC 8506) and the subset of 3GPP TS 32.299 that online charging over Gy needs: what
 * it reads, and what a PGW, an IMS node or an SMSC puts beside it (known, not read). An AVP the
 * dictionary does not know is kept raw; with its M bit set a request carrying it is refused with
 * DIAMETER_AVP_UNSUPPORTED (5001).
 */

/** The wire types of RFC 6733 §4.2–4.3 that this codec reads and writes. */
export type AvpType =
  | 'OctetString'
  | 'UTF8String'
  | 'DiameterIdentity'
  | 'DiameterURI'
  | 'Address'
  | 'Integer32'
  | 'Integer64'
  | 'Unsigned32'
  | 'Unsigned64'
  | 'Enumerated'
  | 'Time'
  | 'Grouped';

/** One AVP definition: how it is named, coded and flagged. */
export interface AvpDefinition {
  name: string;
  code: number;
  /** 0 for IETF AVPs; 10415 for 3GPP ones (sent with the V bit). */
  vendorId: number;
  type: AvpType;
  /** Whether we send it with the M bit (the receiver must understand it). */
  mandatory: boolean;
  /** Allowed values of an Enumerated AVP; any other value is DIAMETER_INVALID_AVP_VALUE (5004). */
  values?: Readonly<Record<string, number>>;
}

/** 3GPP's IANA enterprise number, the vendor of TS 32.299 AVPs. */
export const VENDOR_3GPP = 10415;

/** Application ids (RFC 6733 §2.4, RFC 4006 §1.3). */
export const APPLICATION = { COMMON: 0, CREDIT_CONTROL: 4, RELAY: 0xffffffff } as const;

/** Command codes (RFC 6733 §3.1, RFC 4006 §3). */
export const COMMAND = {
  CAPABILITIES_EXCHANGE: 257,
  DEVICE_WATCHDOG: 280,
  DISCONNECT_PEER: 282,
  CREDIT_CONTROL: 272,
  RE_AUTH: 258,
} as const;

/** Result codes the Diameter layer itself produces (RFC 6733 §7.1, RFC 4006 §9). */
export const DIAMETER_RESULT = {
  SUCCESS: 2001,
  /** The RAA of a credit-control client that will re-authorise with a CCR (RFC 4006 §5.5). */
  LIMITED_SUCCESS: 2002,
  COMMAND_UNSUPPORTED: 3001,
  UNABLE_TO_DELIVER: 3002,
  REALM_NOT_SERVED: 3003,
  TOO_BUSY: 3004,
  APPLICATION_UNSUPPORTED: 3007,
  INVALID_HDR_BITS: 3008,
  INVALID_AVP_BITS: 3009,
  AVP_UNSUPPORTED: 5001,
  UNKNOWN_SESSION_ID: 5002,
  INVALID_AVP_VALUE: 5004,
  MISSING_AVP: 5005,
  AVP_OCCURS_TOO_MANY_TIMES: 5009,
  NO_COMMON_APPLICATION: 5010,
  UNABLE_TO_COMPLY: 5012,
  INVALID_AVP_LENGTH: 5014,
} as const;

/** CC-Request-Type values (RFC 4006 §8.3). */
export const CC_REQUEST_TYPE = { INITIAL_REQUEST: 1, UPDATE_REQUEST: 2, TERMINATION_REQUEST: 3, EVENT_REQUEST: 4 } as const;

/** Requested-Action values (RFC 4006 §8.41): what an event request asks for; absent means direct debiting. */
export const REQUESTED_ACTION = { DIRECT_DEBITING: 0, REFUND_ACCOUNT: 1, CHECK_BALANCE: 2, PRICE_ENQUIRY: 3 } as const;

/** Check-Balance-Result values (RFC 4006 §8.6). */
export const CHECK_BALANCE_RESULT = { ENOUGH_CREDIT: 0, NO_CREDIT: 1 } as const;
/** CC-Session-Failover (RFC 4006 §8.4). */
export const CC_SESSION_FAILOVER = { FAILOVER_NOT_SUPPORTED: 0, FAILOVER_SUPPORTED: 1 } as const;
/** Credit-Control-Failure-Handling (RFC 4006 §8.14): what the client does when the server cannot be reached. */
export const CC_FAILURE_HANDLING = { TERMINATE: 0, CONTINUE: 1, RETRY_AND_TERMINATE: 2 } as const;

/** Subscription-Id-Type values (RFC 4006 §8.47). */
export const SUBSCRIPTION_ID_TYPE = { END_USER_E164: 0, END_USER_IMSI: 1, END_USER_SIP_URI: 2, END_USER_NAI: 3, END_USER_PRIVATE: 4 } as const;

/** Address-Type values of an SMS recipient (TS 32.299 §7.2.7). */
export const ADDRESS_TYPE = { EMAIL: 0, MSISDN: 1, IPV4: 2, IPV6: 3, NUMERIC_SHORTCODE: 4, ALPHANUMERIC_SHORTCODE: 5, OTHER: 6, IMSI: 7 } as const;

/** Final-Unit-Action values (RFC 4006 §8.35). */
export const FINAL_UNIT_ACTION = { TERMINATE: 0, REDIRECT: 1, RESTRICT_ACCESS: 2 } as const;

/** Redirect-Address-Type values (RFC 4006 §8.38). */
export const REDIRECT_ADDRESS_TYPE = { IPV4_ADDRESS: 0, IPV6_ADDRESS: 1, URL: 2, SIP_URI: 3 } as const;

/** Re-Auth-Request-Type values (RFC 6733 §8.12): credit control re-authorises only. */
export const RE_AUTH_REQUEST_TYPE = { AUTHORIZE_ONLY: 0, AUTHORIZE_AUTHENTICATE: 1 } as const;

/** Disconnect-Cause values (RFC 6733 §5.4.3). */
export const DISCONNECT_CAUSE = { REBOOTING: 0, BUSY: 1, DO_NOT_WANT_TO_TALK_TO_YOU: 2 } as const;

const ietf = (name: string, code: number, type: AvpType, values?: Record<string, number>): AvpDefinition => ({
  name,
  code,
  vendorId: 0,
  type,
  mandatory: true,
  ...(values ? { values } : {}),
});
const tgpp = (name: string, code: number, type: AvpType): AvpDefinition => ({ name, code, vendorId: VENDOR_3GPP, type, mandatory: true });
/**
 * AVPs this node knows and does not read: what the standards put in a CCR and in the groups it
 * reads, so that a network element sending them with the M bit is charged rather than refused
 * 5001. Typed by their wire base type (an Enumerated as Integer32; text, addresses and times as
 * octets), and a group as octets, taken whole: only their lengths are checked, since nothing here
 * reads them. Codes and members as freeDiameter's RFC 4006 and TS 32.299 dictionaries give them
 * (test/gy-dictionary.test.ts compares the two).
 */
const unread = (vendorId: number, type: AvpType, codes: Record<string, number>): AvpDefinition[] =>
  Object.entries(codes).map(([name, code]) => ({ name, code, vendorId, type, mandatory: true }));

/** Every AVP this node knows. */
export const AVPS: readonly AvpDefinition[] = [
  // RFC 6733 base protocol
  ietf('Session-Id', 263, 'UTF8String'),
  ietf('Origin-Host', 264, 'DiameterIdentity'),
  ietf('Origin-Realm', 296, 'DiameterIdentity'),
  ietf('Destination-Host', 293, 'DiameterIdentity'),
  ietf('Destination-Realm', 283, 'DiameterIdentity'),
  ietf('Host-IP-Address', 257, 'Address'),
  ietf('Vendor-Id', 266, 'Unsigned32'),
  { ...ietf('Product-Name', 269, 'UTF8String'), mandatory: false },
  { ...ietf('Firmware-Revision', 267, 'Unsigned32'), mandatory: false },
  ietf('Origin-State-Id', 278, 'Unsigned32'),
  ietf('Supported-Vendor-Id', 265, 'Unsigned32'),
  ietf('Auth-Application-Id', 258, 'Unsigned32'),
  ietf('Acct-Application-Id', 259, 'Unsigned32'),
  ietf('Inband-Security-Id', 299, 'Unsigned32'),
  ietf('Vendor-Specific-Application-Id', 260, 'Grouped'),
  ietf('Result-Code', 268, 'Unsigned32'),
  ietf('Experimental-Result', 297, 'Grouped'),
  ietf('Experimental-Result-Code', 298, 'Unsigned32'),
  ietf('Failed-AVP', 279, 'Grouped'),
  ietf('Error-Message', 281, 'UTF8String'),
  ietf('Error-Reporting-Host', 294, 'DiameterIdentity'),
  ietf('Disconnect-Cause', 273, 'Enumerated', DISCONNECT_CAUSE),
  ietf('Route-Record', 282, 'DiameterIdentity'),
  ietf('Proxy-Info', 284, 'Grouped'),
  ietf('Proxy-Host', 280, 'DiameterIdentity'),
  ietf('Proxy-State', 33, 'OctetString'),
  ietf('User-Name', 1, 'UTF8String'),
  ietf('Termination-Cause', 295, 'Enumerated'),
  ietf('Re-Auth-Request-Type', 285, 'Enumerated', RE_AUTH_REQUEST_TYPE),
  ietf('Event-Timestamp', 55, 'Time'),
  ietf('Filter-Id', 11, 'UTF8String'),
  ietf('Called-Station-Id', 30, 'UTF8String'),
  // RFC 4006 / RFC 8506 credit control
  ietf('CC-Request-Type', 416, 'Enumerated', CC_REQUEST_TYPE),
  ietf('CC-Request-Number', 415, 'Unsigned32'),
  ietf('Service-Context-Id', 461, 'UTF8String'),
  ietf('Subscription-Id', 443, 'Grouped'),
  ietf('Subscription-Id-Type', 450, 'Enumerated', SUBSCRIPTION_ID_TYPE),
  ietf('Subscription-Id-Data', 444, 'UTF8String'),
  ietf('Multiple-Services-Indicator', 455, 'Enumerated', { MULTIPLE_SERVICES_NOT_SUPPORTED: 0, MULTIPLE_SERVICES_SUPPORTED: 1 }),
  ietf('Multiple-Services-Credit-Control', 456, 'Grouped'),
  ietf('Requested-Service-Unit', 437, 'Grouped'),
  ietf('Used-Service-Unit', 446, 'Grouped'),
  ietf('Granted-Service-Unit', 431, 'Grouped'),
  ietf('CC-Time', 420, 'Unsigned32'),
  ietf('CC-Total-Octets', 421, 'Unsigned64'),
  ietf('CC-Input-Octets', 412, 'Unsigned64'),
  ietf('CC-Output-Octets', 414, 'Unsigned64'),
  ietf('CC-Service-Specific-Units', 417, 'Unsigned64'),
  ietf('CC-Money', 413, 'Grouped'),
  ietf('Unit-Value', 445, 'Grouped'),
  ietf('Value-Digits', 447, 'Integer64'),
  ietf('Exponent', 429, 'Integer32'),
  ietf('Currency-Code', 425, 'Unsigned32'),
  ietf('Rating-Group', 432, 'Unsigned32'),
  ietf('Service-Identifier', 439, 'Unsigned32'),
  ietf('Validity-Time', 448, 'Unsigned32'),
  ietf('Final-Unit-Indication', 430, 'Grouped'),
  ietf('Final-Unit-Action', 449, 'Enumerated', FINAL_UNIT_ACTION),
  ietf('Redirect-Server', 434, 'Grouped'),
  ietf('Redirect-Address-Type', 433, 'Enumerated', REDIRECT_ADDRESS_TYPE),
  ietf('Redirect-Server-Address', 435, 'UTF8String'),
  ietf('Requested-Action', 436, 'Enumerated', REQUESTED_ACTION),
  ietf('Check-Balance-Result', 422, 'Enumerated', CHECK_BALANCE_RESULT),
  ietf('Cost-Information', 423, 'Grouped'),
  ietf('Cost-Unit', 424, 'UTF8String'),
  ietf('CC-Session-Failover', 418, 'Enumerated', CC_SESSION_FAILOVER),
  ietf('Credit-Control-Failure-Handling', 427, 'Enumerated', CC_FAILURE_HANDLING),
  ietf('Tariff-Time-Change', 451, 'Time'),
  // 3GPP TS 32.299 (vendor 10415)
  tgpp('Service-Information', 873, 'Grouped'),
  tgpp('IMS-Information', 876, 'Grouped'),
  // Sent by every PGW with the M bit, full of what the bearer is (its charging id, addresses, QoS,
  // RAT, location) for offline records; this node reads none of it, so it takes the group whole as
  // octets rather than refuse the CCR 5001 for members it has no definition of.
  tgpp('PS-Information', 874, 'OctetString'),
  tgpp('Called-Party-Address', 832, 'UTF8String'),
  tgpp('Calling-Party-Address', 831, 'UTF8String'),
  tgpp('SMS-Information', 2000, 'Grouped'),
  tgpp('Recipient-Info', 2026, 'Grouped'),
  tgpp('Recipient-Address', 1201, 'Grouped'),
  tgpp('Address-Type', 899, 'Enumerated'),
  tgpp('Address-Data', 897, 'UTF8String'),
  tgpp('Reporting-Reason', 872, 'Enumerated'),
  tgpp('Time-Quota-Threshold', 868, 'Unsigned32'),
  tgpp('Volume-Quota-Threshold', 869, 'Unsigned32'),
  tgpp('Quota-Holding-Time', 871, 'Unsigned32'),
  tgpp('Refund-Information', 2022, 'OctetString'),

  // Known, not read (see `unread`). A CCR's own (RFC 4006 §3.1, TS 32.299 §6.4.2):
  ...unread(0, 'OctetString', { 'Acct-Multi-Session-Id': 50, 'CC-Correlation-Id': 411, 'Service-Parameter-Info': 440, 'User-Equipment-Info': 458 }),
  ...unread(0, 'Unsigned64', { 'CC-Sub-Session-Id': 419 }),
  ...unread(VENDOR_3GPP, 'Integer32', { 'AoC-Request-Type': 2055 }),
  // Multiple-Services-Credit-Control, its used units and a final-unit indication:
  ...unread(0, 'Integer32', { 'Tariff-Change-Usage': 452 }),
  ...unread(0, 'OctetString', { 'Restriction-Filter-Rule': 438, 'G-S-U-Pool-Reference': 457 }),
  ...unread(VENDOR_3GPP, 'OctetString', {
    'PS-Furnish-Charging-Information': 865, 'QoS-Information': 1016, 'Service-Specific-Info': 1249, 'Event-Charging-TimeStamp': 1258,
    'Trigger': 1264, 'Envelope': 1266, 'Time-Quota-Mechanism': 1270, 'AF-Correlation-Information': 1276,
  }),
  ...unread(VENDOR_3GPP, 'Unsigned32', { 'Quota-Consumption-Time': 881, 'Unit-Quota-Threshold': 1226 }),
  ...unread(VENDOR_3GPP, 'Integer32', { 'Envelope-Reporting': 1268 }),
  // The bearer's AVPs of TS 29.061, which PGWs also send outside PS-Information (in MSCC, for one):
  ...unread(VENDOR_3GPP, 'OctetString', {
    '3GPP-IMSI': 1, '3GPP-GPRS-Negotiated-QoS-Profile': 5, '3GPP-SGSN-Address': 6, '3GPP-GGSN-Address': 7, '3GPP-IMSI-MCC-MNC': 8,
    '3GPP-GGSN-MCC-MNC': 9, '3GPP-NSAPI': 10, '3GPP-Selection-Mode': 12, '3GPP-Charging-Characteristics': 13, '3GPP-SGSN-IPv6-Address': 15,
    '3GPP-GGSN-IPv6-Address': 16, '3GPP-SGSN-MCC-MNC': 18, '3GPP-IMEISV': 20, '3GPP-RAT-Type': 21, '3GPP-User-Location-Info': 22, '3GPP-MS-TimeZone': 23,
  }),
  ...unread(VENDOR_3GPP, 'Unsigned32', { '3GPP-Charging-Id': 2 }),
  ...unread(VENDOR_3GPP, 'Integer32', { '3GPP-PDP-Type': 3 }),
  // Service-Information's other services:
  ...unread(VENDOR_3GPP, 'OctetString', {
    'WLAN-Information': 875, 'MMS-Information': 877, 'LCS-Information': 878, 'PoC-Information': 879, 'MBMS-Information': 880,
    'Service-Generic-Information': 1256, 'MMTel-Information': 2030, 'AoC-Information': 2054, 'IM-Information': 2110, 'DCD-Information': 2115,
  }),
  // IMS-Information, as an IMS AS, S-CSCF or MRFC sends it:
  ...unread(VENDOR_3GPP, 'OctetString', {
    'Server-Capabilities': 603, 'Event-Type': 823, 'User-Session-Id': 830, 'Time-Stamps': 833, 'Inter-Operator-Identifier': 838,
    'IMS-Charging-Identifier': 841, 'SDP-Session-Description': 842, 'SDP-Media-Component': 843, 'Served-Party-IP-Address': 848,
    'Application-Server-Information': 850, 'Trunk-Group-Id': 851, 'Bearer-Service': 854, 'Service-Id': 855, 'Associated-URI': 856,
    'Message-Body': 889, 'Called-Asserted-Identity': 1250, 'Requested-Party-Address': 1251, 'Access-Network-Information': 1263,
    'Early-Media-Description': 1272, 'Alternate-Charged-Party-Address': 1280, 'IMS-Communication-Service-Identifier': 1281,
    'Carrier-Select-Routing-Information': 2023, 'Number-Portability-Routing-Information': 2024, 'Real-Time-Tariff-Information': 2305,
    'Account-Expiration': 2309, 'Outgoing-Session-Id': 2320, 'Initial-IMS-Charging-Identifier': 2321, 'IMS-Application-Reference-Identifier': 2601,
    'Transit-IOI-List': 2701, 'NNI-Information': 2703, 'From-Address': 2708, 'Access-Transfer-Information': 2709,
  }),
  ...unread(VENDOR_3GPP, 'Integer32', { 'Session-Priority': 650, 'Role-Of-Node': 829, 'Cause-Code': 861, 'Node-Functionality': 862, 'Online-Charging-Flag': 2303, 'IMS-Emergency-Indicator': 2322 }),
  // SMS-Information, its Recipient-Info and Recipient-Address, as an SMSC or IP-SM-GW sends them:
  ...unread(VENDOR_3GPP, 'OctetString', {
    'Address-Domain': 898, 'Destination-Interface': 2002, 'Originator-SCCP-Address': 2008, 'Originator-Interface': 2009, 'Recipient-SCCP-Address': 2010,
    'SM-Discharge-Time': 2012, 'SM-Protocol-ID': 2013, 'SM-Status': 2014, 'SM-User-Data-Header': 2015, 'SMSC-Address': 2017, 'Client-Address': 2018,
    'Originator-Received-Address': 2027, 'Recipient-Received-Address': 2028,
  }),
  ...unread(VENDOR_3GPP, 'Integer32', { 'Addressee-Type': 1208, 'Data-Coding-Scheme': 2001, 'SM-Message-Type': 2007, 'Reply-Path-Requested': 2011, 'SMS-Node': 2016, 'SM-Service-Type': 2029 }),
  ...unread(VENDOR_3GPP, 'Unsigned32', { 'Number-Of-Messages-Sent': 2019 }),
];

// By vendor, then code: numbers as keys, so that a lookup (one per AVP read) builds no string.
const byVendor = new Map<number, Map<number, AvpDefinition>>();
for (const d of AVPS) {
  let codes = byVendor.get(d.vendorId);
  if (!codes) byVendor.set(d.vendorId, (codes = new Map()));
  codes.set(d.code, d);
}
const ietfCodes = byVendor.get(0)!;
const byName = new Map(AVPS.map((d) => [d.name, d]));
const enumeratedValues = new Map(AVPS.filter((d) => d.values).map((d) => [d, new Set(Object.values(d.values!))]));

/** The definition of an AVP by code and vendor, or undefined when this node does not know it. */
export function avpDefinition(code: number, vendorId = 0): AvpDefinition | undefined {
  return vendorId === 0 ? ietfCodes.get(code) : byVendor.get(vendorId)?.get(code);
}

/** Whether an Enumerated AVP may carry `value` (any value when its definition lists none). */
export function isEnumeratedValue(def: AvpDefinition, value: number): boolean {
  const allowed = enumeratedValues.get(def);
  return allowed === undefined || allowed.has(value);
}

/** The definition of an AVP by name; throws for a name that is not in the dictionary (a bug). */
export function avpNamed(name: string): AvpDefinition {
  const def = byName.get(name);
  if (!def) throw new Error(`no AVP named ${name} in the dictionary`);
  return def;
}
