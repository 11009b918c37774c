/** Values a problem's or field error's text is built from (`{"max": 200}`), by name. */
export type ProblemParams = Record<string, string | number>;

/** One invalid field of an RFC 9457 problem (`errors[]`). */
export interface FieldError {
  field: string;
  /** A stable machine code (`required`, `too_long`, `phone`…): the SPA's own text is chosen by it. */
  code: string;
  /** The server's sentence, in the language the request asked for; shown when the SPA has no text for the code. */
  message: string;
  params?: ProblemParams;
}

/** The body of an `application/problem+json` answer. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  /** A stable machine code (`stale_version`, `customer.credit_code_taken`…), when the server sent one. */
  code?: string | null;
  detail?: string | null;
  params?: ProblemParams;
  request_id?: string | null;
  errors?: FieldError[];
}

/** Thrown by the API client for every non-2xx answer, so callers can branch on `status`. */
export class ProblemError extends Error {
  readonly problem: Problem;
  /** Seconds from `Retry-After`, when the server sent one (429, 503). */
  readonly retryAfter: number | null;

  constructor(problem: Problem, retryAfter: number | null = null) {
    super(problem.detail ?? problem.title);
    this.name = 'ProblemError';
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  get status(): number {
    return this.problem.status;
  }

  get fieldErrors(): FieldError[] {
    return this.problem.errors ?? [];
  }
}

export function isProblemError(e: unknown): e is ProblemError {
  return e instanceof ProblemError;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Only the string and number values of a `params` object: nothing else can be put into a sentence. */
function parseParams(v: unknown): ProblemParams | undefined {
  if (!isRecord(v)) return undefined;
  const out: ProblemParams = {};
  for (const [k, value] of Object.entries(v)) if (typeof value === 'string' || typeof value === 'number') out[k] = value;
  return out;
}

function parseFieldErrors(v: unknown): FieldError[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: FieldError[] = [];
  for (const item of v) {
    if (isRecord(item) && typeof item.field === 'string') {
      out.push({
        field: item.field,
        code: typeof item.code === 'string' ? item.code : 'invalid',
        message: typeof item.message === 'string' ? item.message : '',
        ...(isRecord(item.params) ? { params: parseParams(item.params) } : {}),
      });
    }
  }
  return out;
}

/** Builds a ProblemError from any failed response, problem+json or not. */
export async function problemFromResponse(response: Response): Promise<ProblemError> {
  const text = await response.text().catch(() => '');
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const retryAfterHeader = response.headers.get('Retry-After');
  const retryAfter = retryAfterHeader !== null && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : null;
  if (isRecord(body)) {
    return new ProblemError(
      {
        type: typeof body.type === 'string' ? body.type : 'about:blank',
        title: typeof body.title === 'string' ? body.title : response.statusText || `HTTP ${response.status}`,
        status: typeof body.status === 'number' ? body.status : response.status,
        code: typeof body.code === 'string' ? body.code : null,
        detail: typeof body.detail === 'string' ? body.detail : null,
        ...(isRecord(body.params) ? { params: parseParams(body.params) } : {}),
        request_id: typeof body.request_id === 'string' ? body.request_id : null,
        errors: parseFieldErrors(body.errors),
      },
      retryAfter,
    );
  }
  return new ProblemError(
    { type: 'about:blank', title: response.statusText || `HTTP ${response.status}`, status: response.status, detail: text || null },
    retryAfter,
  );
}
