import { toHalfWidthKana } from '../../transfers/domain/kana';

/**
 * Bank and branch names from the `zengin-code` package (全銀協 codes; kana already
 * Zengin-normalised, full-width with U+FF0D for the long vowel).
 */
interface ZenginBranch {
  code: string;
  name: string;
  kana: string;
}
interface ZenginBank extends ZenginBranch {
  branches: Record<string, ZenginBranch>;
}

/**
 * The directory is loaded on first use, not at import: the package is one 5 MB JavaScript object
 * literal whose compilation costs about 30 MB of resident memory and 200 ms, which every process
 * that imports the banking module (the signing CLI, the archive jobs) paid without ever looking up
 * a bank. Lookups answer exactly as before; only the first one pays the loading.
 */
let loaded: Record<string, ZenginBank> | undefined;

function directory(): Record<string, ZenginBank> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require('zengin-code') as Record<string, ZenginBank>);
}

export interface BranchInfo {
  bankCode: string;
  bankName: string;
  bankKana: string;
  branchCode: string;
  branchName: string;
  branchKana: string;
}

export function findBank(bankCode: string): { code: string; name: string; kana: string } | undefined {
  const b = /^\d{4}$/.test(bankCode) ? directory()[bankCode] : undefined;
  return b ? { code: b.code, name: b.name, kana: toHalfWidthKana(b.kana) } : undefined;
}

/** The bank and branch, or undefined when either code is unknown. */
export function findBranch(bankCode: string, branchCode: string): BranchInfo | undefined {
  const b = /^\d{4}$/.test(bankCode) ? directory()[bankCode] : undefined;
  const br = b && /^\d{3}$/.test(branchCode) ? b.branches[branchCode] : undefined;
  if (!b || !br) return undefined;
  return {
    bankCode: b.code,
    bankName: b.name,
    bankKana: toHalfWidthKana(b.kana),
    branchCode: br.code,
    branchName: br.name,
    branchKana: toHalfWidthKana(br.kana),
  };
}

/** Whether the directory knows the bank at all (our own code may be a test code it lacks). */
export function knowsBank(bankCode: string): boolean {
  return Boolean(directory()[bankCode]);
}
