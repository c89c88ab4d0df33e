/** RFC 7807 ProblemDetails as 3GPP SBIs use them (TS 29.571): title, status, detail and a cause. */

export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail: string;
  cause?: string;
  invalidParams?: Array<{ param: string; reason: string }>;
}

/** A ProblemDetails body. */
export function problem(status: number, title: string, detail: string, cause?: string): Problem {
  return { title, status, detail, ...(cause ? { cause } : {}) };
}
