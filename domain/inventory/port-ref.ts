/**
 * How a service names the FTTH port it holds (TMF638 supportingResource id): `<access node>/<port>`,
 * the port itself written frame/slot/port (`OLT-MAD-01/1/2/7`). Split at the port's three numbers,
 * not at the last slash, which would cut the port's own.
 */
const PORT_REF = /^(.+)\/(\d+\/\d+\/\d+)$/;

/** The reference of a port on an access node. */
export const portRef = (accessNode: string, port: string): string => `${accessNode}/${port}`;

/** The access node and port a reference names; undefined when it is not one. */
export function parsePortRef(ref: string): { accessNode: string; port: string } | undefined {
  const m = PORT_REF.exec(ref);
  return m ? { accessNode: m[1], port: m[2] } : undefined;
}
