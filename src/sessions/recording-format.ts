// The on-disk format of a session's recording (DATA_DIR/recordings/<id>.rec): its output bytes as
// they came, each run of them with the time it arrived, and the terminal's resizes. Raw bytes, not
// asciicast: the PTY's side only copies and appends, and an export (with the idle gaps it asks
// for) turns them into asciicast or text while streaming (recording-export.ts).
//
// Layout, little-endian: a HEADER_BYTES header — magic "ODRC\x01\0\0\0", the start as epoch ms
// (float64), cols and rows (uint16 each), flags (uint32, see RecordingFlags) — then records of
// RECORD_HEADER_BYTES — kind (uint8), ms since the start (float64), length (uint32) — each
// followed by `length` output bytes (kind output), or none (kind resize: length = cols << 16 |
// rows). A file cut short by a crash ends in at most one incomplete record, which readers ignore.

export const MAGIC = Buffer.from("ODRC\x01\0\0\0", "latin1");
export const HEADER_BYTES = 24;
export const FLAGS_AT = 20;
export const RECORD_HEADER_BYTES = 13;

export const RecordKind = { output: 1, resize: 2 } as const;

/** Bits of the header's flags. */
export const RecordingFlags = {
  /** The recording reached RECORDING_LIMIT: output after that was not recorded. */
  limit: 1,
  /** Output outran the recording (a flood overtook the ring before it was copied): it stops there. */
  overrun: 2,
  /** A write failed (disk full): the recording stops at the last complete write. */
  failed: 4,
} as const;

export interface RecordingHeader {
  /** Epoch ms of the recording's time 0. */
  startedMs: number;
  cols: number;
  rows: number;
  flags: number;
}

export function encodeHeader(header: RecordingHeader): Buffer {
  const bytes = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(bytes, 0);
  bytes.writeDoubleLE(header.startedMs, 8);
  bytes.writeUInt16LE(header.cols, 16);
  bytes.writeUInt16LE(header.rows, 18);
  bytes.writeUInt32LE(header.flags, FLAGS_AT);
  return bytes;
}

/** The header of a file's first HEADER_BYTES, or undefined when they are not one. */
export function decodeHeader(bytes: Uint8Array): RecordingHeader | undefined {
  if (bytes.length < HEADER_BYTES) return undefined;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  if (!buffer.subarray(0, 8).equals(MAGIC)) return undefined;
  return {
    startedMs: buffer.readDoubleLE(8),
    cols: buffer.readUInt16LE(16),
    rows: buffer.readUInt16LE(18),
    flags: buffer.readUInt32LE(FLAGS_AT),
  };
}

/** Writes one record's header into `out` at `at`. */
export function writeRecordHeader(
  out: Buffer,
  at: number,
  kind: number,
  timeMs: number,
  length: number,
): void {
  out.writeUInt8(kind, at);
  out.writeDoubleLE(timeMs, at + 1);
  out.writeUInt32LE(length >>> 0, at + 9);
}
