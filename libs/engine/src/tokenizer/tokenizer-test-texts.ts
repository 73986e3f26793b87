/** Test inputs shared by the tokenizer specs (not part of the public API). */
import { nqOpenRecords } from '@lazyllm/datasets';

export { nqPassages } from '@lazyllm/datasets';

/** Texts every tokenizer must round-trip exactly: scripts, emoji, code, whitespace runs, numbers, newlines. */
export const ROUND_TRIP_TEXTS: readonly string[] = [
  'Hello world',
  'Hello, world! How are you?',
  ' leading space',
  'trailing space ',
  '  two leading',
  'multiple   spaces   inside',
  'tabs\tand\ttabs',
  'line1\nline2\n\nline4\n',
  '\n\n\n',
  '   \n  \n',
  'CRLF\r\nline\r\n',
  'numbers 1234567890 and 3.14159 and -42',
  '1,234,567.89',
  'phone: +1 (555) 123-4567',
  "I'm sure you've heard they'll say it's fine, we'd go, you're right",
  "DON'T SHOUT'S 'quoted'",
  'unicode: café naïve résumé Ångström',
  'emoji: 😀👍🏽🎉 family 👨‍👩‍👧‍👦 flags 🇺🇸🇯🇵',
  'CJK: 你好，世界！日本語のテキスト。한국어 텍스트',
  'Ελληνικά και Русский текст',
  'עברית ועברית العربية',
  'math: ∑∫√∞ ≠ ≤ ≥ ± × ÷ ²³ ½ ¾ Ⅻ ①',
  'def foo(x):\n    return x ** 2  # square\n',
  'function f(a, b) {\n\treturn a + b;\n}\n',
  '<div class="x">&amp; &lt;tag&gt;</div>',
  'https://example.com/path?q=1&r=2#frag',
  'user@example.com',
  'snake_case camelCase PascalCase kebab-case',
  '____----====****',
  '!!!???...,,,;;;:::',
  '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n',
  'text with <|endoftext|> inside',
  '<|im_start|><|im_end|><|im_start|>',
  'weird <|im_start partial |> and <|im_end',
  '\u0000\u0001 control chars \u007f',
  'nbsp\u00a0here\u2003em\u3000ideographic',
  'zero\u200bwidth\u200djoiner\ufeffbom',
  'next\u0085line',
  '\ufeffleading bom',
  'combining: e\u0301 a\u0300 n\u0303',
  'mixed 123abc abc123 a1b2c3',
  '  12  34  ',
  'Tab\t\tdouble',
  ' \t \n mixed ws',
  'ＦＵＬＬＷＩＤＴＨ １２３',
  '🤖🤖🤖',
  'a',
  '',
  ' ',
  'x\u2028y\u2029z',
  '$100 + 50% = #hash @at ^caret ~tilde |pipe `tick`',
];

/**
 * Texts that cannot round-trip, by construction, yet must still tokenize exactly as llama.cpp does:
 * a lone surrogate has no UTF-8 form (it becomes U+FFFD), and SmolLM2's vocabulary has no token for
 * some bytes (e.g. 0x1D), which llama.cpp silently drops.
 */
export const LOSSY_TEXTS: readonly string[] = ['lone surrogate \ud800 here', '\u001c\u001d\u001e\u001f separators'];

export function nqQuestions(count: number): string[] {
  return nqOpenRecords().slice(0, count).map((r) => r.question);
}
