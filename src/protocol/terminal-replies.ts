// Recognizes input that is a terminal's automatic answer to a query from the program (device
// attributes, cursor position, colour queries, mode reports). Every attached browser answers such
// queries; the session forwards the answers of one viewer only, and none that a viewer's terminal
// gives while it is being brought up to date (DESIGN §5). The browser uses the same recognizer to
// keep its terminal's answers to replayed queries to itself.

const ESC = "\\x1b";
const ST = `(?:\\x07|${ESC}\\\\)`;
const REPLY = [
  `${ESC}\\[[?>]?[\\d;]*[cn]`, // DA1/DA2, DSR status
  `${ESC}\\[\\??[\\d;]*R`, // CPR, DECXCPR
  `${ESC}\\[\\??[\\d;]*\\$y`, // DECRQM
  `${ESC}\\[[\\d;]+t`, // window size / position reports
  `${ESC}\\][\\d;]*;rgb:[0-9a-fA-F/]*${ST}`, // OSC 4/10/11/12 colour answers
  `${ESC}P[^\\x1b]*${ESC}\\\\`, // DCS answers: XTVERSION, DECRQSS, XTGETTCAP
].join("|");
const ONLY_REPLIES = new RegExp(`^(?:${REPLY})+$`);
/** Answers are short; longer input is never taken for one. */
const MAX_REPLY_LENGTH = 512;

/** True when every character of `input` (as xterm.js hands it out) belongs to query answers. */
export function isTerminalReplyText(input: string): boolean {
  if (input.length === 0 || input.length > MAX_REPLY_LENGTH || input[0] !== "\x1b") return false;
  return ONLY_REPLIES.test(input);
}

/** True when every byte of `input` belongs to terminal query answers. */
export function isTerminalReply(input: Uint8Array): boolean {
  // Answers are short and start with ESC; check that before decoding.
  if (input.length === 0 || input.length > MAX_REPLY_LENGTH || input[0] !== 0x1b) return false;
  return isTerminalReplyText(String.fromCharCode(...input));
}
