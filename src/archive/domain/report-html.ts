import type { SimpleReport, ValidationReport } from '../../pades/domain/validation-report';

export interface ReportInput {
  verifiedAt: string;
  fileName: string | null;
  sha256: string;
  sizeBytes: number;
  archived: { contractId: string; title: string; version: number; current: boolean }[];
  simple: SimpleReport;
  report: ValidationReport;
}

function esc(v: string | number | null | undefined): string {
  return String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const VERDICT: Record<string, string> = {
  'TOTAL-PASSED': '有効（TOTAL-PASSED）',
  INDETERMINATE: '判定不能（INDETERMINATE）',
  'TOTAL-FAILED': '無効（TOTAL-FAILED）',
};

const TYPE: Record<string, string> = {
  signature: '電子署名',
  'document-timestamp': 'ドキュメントタイムスタンプ',
};

/**
 * A self-contained, printable verification report an auditor can keep (no script, styles
 * inline so the saved file renders the same offline). Pure: no framework imports.
 */
export function renderVerificationReport(r: ReportInput): string {
  const archived = r.archived.length
    ? `<p class="ok">この PDF は保管中の原本とバイト単位で一致します：</p><ul>${r.archived
        .map(
          (a) =>
            `<li>契約 ${esc(a.title)}（ID ${esc(a.contractId)}）第 ${esc(a.version)} 版${a.current ? '（現行版）' : '（旧版）'}</li>`,
        )
        .join('')}</ul>`
    : '<p class="warn">この PDF は保管中のどの原本ともバイト単位で一致しません。</p>';
  const rows = r.report.entries
    .map((e) => {
      const checks = e.checks
        .map(
          (c) =>
            `<li><span class="${c.result === 'failed' ? 'ng' : c.result === 'passed' ? 'ok' : ''}">${esc(c.result)}</span> ${esc(c.name)}: ${esc(c.detail)}</li>`,
        )
        .join('');
      return `<section class="entry">
<h3>${esc(e.index)}. ${esc(TYPE[e.type] ?? e.type)} — ${esc(e.fieldName)}</h3>
<table>
<tr><th>判定</th><td class="${e.indication === 'TOTAL-PASSED' ? 'ok' : 'ng'}">${esc(VERDICT[e.indication] ?? e.indication)}${e.subIndication ? ` / ${esc(e.subIndication)}` : ''}</td></tr>
<tr><th>説明</th><td>${esc(e.message)}</td></tr>
${e.signer ? `<tr><th>署名者</th><td>${esc(e.signer.subject)}<br><small>発行者 ${esc(e.signer.issuer)} / 有効期間 ${esc(e.signer.notBefore)} – ${esc(e.signer.notAfter)}</small></td></tr>` : ''}
${e.timestamp ? `<tr><th>時刻</th><td>${esc(e.timestamp.genTime)}（${esc(e.timestamp.tsa?.subject ?? '')}）</td></tr>` : ''}
${e.provenTime ? `<tr><th>存在証明時刻</th><td>${esc(e.provenTime)}</td></tr>` : ''}
<tr><th>レベル</th><td>${esc(e.level)}</td></tr>
<tr><th>文書全体を対象</th><td>${e.coversWholeFile ? 'はい' : 'いいえ（後に追加された版あり）'}</td></tr>
</table>
<details open><summary>検証項目</summary><ul class="checks">${checks}</ul></details>
</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<title>検証レポート ${esc(r.fileName ?? r.sha256.slice(0, 12))}</title>
<style>
body{font-family:"Noto Sans JP","Hiragino Sans","Yu Gothic",sans-serif;margin:2em;color:#111;line-height:1.5}
h1{font-size:1.4em;border-bottom:2px solid #333}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #999;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#eee;width:12em}
.ok{color:#05620b;font-weight:bold}.ng{color:#a00;font-weight:bold}.warn{color:#8a5300;font-weight:bold}
.entry{page-break-inside:avoid;margin-top:1.5em}
.checks{font-size:.9em}
code{word-break:break-all}
@media print{details{display:block}summary{display:none}}
</style>
</head>
<body>
<h1>PDF 署名検証レポート</h1>
<table>
<tr><th>総合判定</th><td class="${r.report.indication === 'TOTAL-PASSED' ? 'ok' : 'ng'}">${esc(VERDICT[r.report.indication] ?? r.report.indication)}</td></tr>
<tr><th>検証日時（UTC）</th><td>${esc(r.verifiedAt)}</td></tr>
<tr><th>検証基準時刻</th><td>${esc(r.report.validationTime)}${r.report.offline ? '（埋め込み検証情報のみ）' : ''}</td></tr>
<tr><th>ファイル</th><td>${esc(r.fileName ?? '（名前なし）')}（${esc(r.sizeBytes)} バイト）</td></tr>
<tr><th>SHA-256</th><td><code>${esc(r.sha256)}</code></td></tr>
</table>
<h2>保管原本との照合</h2>
${archived}
<h2>署名とタイムスタンプ（${esc(r.report.entries.length)} 件）</h2>
${rows || '<p>署名もタイムスタンプも含まれていません。</p>'}
<p><small>判定は ETSI EN 319 102-1 の AdES 判定（TOTAL-PASSED / INDETERMINATE / TOTAL-FAILED）に従います。このレポートは検証時点の結果であり、監査記録にも同じ検証が記録されています。</small></p>
</body>
</html>`;
}
