/**
 * GPT-2's byte-level alphabet: every byte value is given a printable code point, so BPE vocabularies
 * can spell arbitrary bytes (including broken UTF-8 and control characters) as ordinary strings.
 * Bytes that are printable Latin-1 keep their own code point; the rest are mapped to U+0100 upwards.
 */
function buildByteAlphabet(): string[] {
  const keepsOwnCodePoint = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const alphabet: string[] = new Array(256);
  let shifted = 0;
  for (let b = 0; b < 256; b++) alphabet[b] = String.fromCharCode(keepsOwnCodePoint(b) ? b : 256 + shifted++);
  return alphabet;
}

const BYTE_TO_CHAR = buildByteAlphabet();
const CHAR_TO_BYTE = new Map(BYTE_TO_CHAR.map((char, byte) => [char, byte]));
const utf8 = new TextEncoder();

/** The UTF-8 bytes of `text`, spelled in the byte-level alphabet (one character per byte). */
export function toByteLevel(text: string): string {
  let out = '';
  for (const byte of utf8.encode(text)) out += BYTE_TO_CHAR[byte];
  return out;
}

/**
 * The bytes a byte-level vocabulary entry stands for. Characters outside the alphabet cannot come from
 * a well-formed vocabulary; they are kept as their own UTF-8 rather than dropped.
 */
export function fromByteLevel(symbols: string): Uint8Array {
  const bytes: number[] = [];
  for (const char of symbols) {
    const byte = CHAR_TO_BYTE.get(char);
    if (byte !== undefined) bytes.push(byte);
    else bytes.push(...utf8.encode(char));
  }
  return Uint8Array.from(bytes);
}
