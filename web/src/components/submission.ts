// A form's submission in flight (see createSubmission), kept across the form's renders.
import { useMemo } from "preact/hooks";
import { createSubmission } from "../state/submission.ts";

export const useSubmission = () => useMemo(createSubmission, []);
