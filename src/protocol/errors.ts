// The JSON error envelope every failing request receives.

export interface ErrorBody {
  error: { code: string; message: string };
}
