/**
 * Kana normalisation for account names. Account names are held in half-width katakana (JIS X 0201),
 * the form Zengin records and passbooks use; input may be full-width katakana or hiragana.
 */
const FULL =
  'アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンァィゥェォャュョッー';
const HALF = 'ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝｧｨｩｪｫｬｭｮｯｰ';
const DAKUTEN = 'ガギグゲゴザジズゼゾダヂヅデドバビブベボ';
const DAKUTEN_BASE = 'ｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾊﾋﾌﾍﾎ';
const HANDAKUTEN = 'パピプペポ';
const HANDAKUTEN_BASE = 'ﾊﾋﾌﾍﾎ';

const map = new Map<string, string>();
for (let i = 0; i < FULL.length; i++) map.set(FULL[i], HALF[i]);
for (let i = 0; i < DAKUTEN.length; i++) map.set(DAKUTEN[i], `${DAKUTEN_BASE[i]}ﾞ`);
for (let i = 0; i < HANDAKUTEN.length; i++) map.set(HANDAKUTEN[i], `${HANDAKUTEN_BASE[i]}ﾟ`);
map.set('ヴ', 'ｳﾞ');
map.set('　', ' ');
map.set('－', '-'); // zengin-code writes the long vowel as U+FF0D
map.set('（', '(');
map.set('）', ')');
map.set('．', '.');

/** Full-width katakana / hiragana / ASCII → half-width kana form; collapses runs of spaces. */
export function toHalfWidthKana(input: string): string {
  let out = '';
  for (const ch of input.normalize('NFKC').normalize('NFC')) {
    let c = ch;
    const code = c.charCodeAt(0);
    if (code >= 0x3041 && code <= 0x3096) c = String.fromCharCode(code + 0x60); // hiragana → katakana
    out += map.get(c) ?? (/[a-z]/.test(c) ? c.toUpperCase() : c);
  }
  return out.replace(/ +/g, ' ').trim();
}

/** Characters allowed in a Zengin party name (seed facts: kana, A–Z, 0–9, space, `( ) - .`). */
const ALLOWED = /^[ｦ-ﾟA-Z0-9 ().-]+$/;

/** Half-width kana suitable for a name field, or undefined if it contains anything else. */
export function normaliseNameKana(input: string): string | undefined {
  const s = toHalfWidthKana(input);
  return s.length > 0 && ALLOWED.test(s) ? s : undefined;
}
