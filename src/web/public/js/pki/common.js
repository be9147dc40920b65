// Helpers shared by the PKI pages.
import { esc } from '../app.js';
export { busy, setError } from '../app.js';

export const CERT_STATUS_LABELS = {
  active: '有効',
  revoked: '失効',
  expired: '期限切れ',
  locked: 'ロック中（暗証コードの誤入力）',
};

export const REASON_LABELS = {
  unspecified: '理由の指定なし',
  keyCompromise: 'ID・パスワード・暗証コードの漏えい',
  affiliationChanged: '氏名・所属等の変更',
  superseded: '新しい証明書への切替',
  cessationOfOperation: '利用終了',
  privilegeWithdrawn: '利用資格の取消',
};

export const CHANNEL_LABELS = { counter: '窓口', phone: '電話', online: 'オンライン', system: 'システム' };

export function formatInstant(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo' });
}

/** A definition list describing one certificate. */
export function renderCertificate(c) {
  const row = (label, value) => '<dt>' + esc(label) + '</dt><dd>' + esc(value ?? '—') + '</dd>';
  return (
    '<dl>' +
    row('状態', CERT_STATUS_LABELS[c.status] || c.status) +
    row('シリアル番号', c.serialNumber) +
    row('主体者', c.subject) +
    row('有効期間', formatInstant(c.notBefore) + ' 〜 ' + formatInstant(c.notAfter)) +
    row('鍵の種類', c.keyType) +
    (c.pinSetAt ? row('暗証コード設定（受領確認）', formatInstant(c.pinSetAt)) : '') +
    (c.revokedAt
      ? row('失効日時', formatInstant(c.revokedAt)) +
        row('失効理由', REASON_LABELS[c.revocationReason] || c.revocationReason) +
        row('届出の方法', CHANNEL_LABELS[c.revocationChannel] || c.revocationChannel)
      : '') +
    '</dl>'
  );
}
