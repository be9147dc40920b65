import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PadesEngine } from '../pades/pades-engine.service';
import { AuditLog } from '../platform/audit/audit-log';
import { FileStore } from '../platform/file-store/file-store';
import { ArchivedOriginalEntity, ArchiveVersionEntity } from './archive.entities';
import { ArchiveQueries } from './archive-queries.service';
import { isAppendOnlyExtension } from './domain/version-chain';

export interface IntegrityProblem {
  originalId: string;
  contractId: string;
  version?: number;
  kind: 'hash-mismatch' | 'missing' | 'chain-broken' | 'not-an-extension' | 'validation-failed';
  detail: string;
}

export interface IntegrityResult {
  originals: number;
  versions: number;
  problems: IntegrityProblem[];
}

/**
 * Integrity audit (`archive verify`): recomputes every version's SHA-256 (FileStore.verify),
 * checks the version chain (each version names its predecessor and starts with its bytes) and
 * validates the current original. Every problem is written to the audit log.
 */
@Injectable()
export class AuditOriginals {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queries: ArchiveQueries,
    private readonly engine: PadesEngine,
    @Inject(FileStore) private readonly store: FileStore,
    private readonly audit: AuditLog,
  ) {}

  async execute(cmd: {
    id?: string;
    actor: string;
    onProgress?: (done: number, total: number) => void;
  }): Promise<IntegrityResult> {
    const repo = this.dataSource.getRepository(ArchivedOriginalEntity);
    const ids = cmd.id
      ? [(await this.queries.find(cmd.id)).id]
      : (
          await repo
            .createQueryBuilder('o')
            .select('o.id')
            .orderBy('o.transactionDate')
            .addOrderBy('o.id')
            .getMany()
        ).map((o) => o.id);
    const result: IntegrityResult = { originals: 0, versions: 0, problems: [] };
    for (const id of ids) {
      const o = await repo.findOneByOrFail({ id });
      const problems = await this.checkOne(o, result);
      result.originals++;
      for (const p of problems) {
        result.problems.push(p);
        await this.audit.append({
          actor: cmd.actor,
          action: 'archive.integrity.failed',
          subject: `archive-original:${o.id}`,
          details: { contractId: o.contractId, version: p.version ?? null, kind: p.kind, detail: p.detail },
        });
      }
      cmd.onProgress?.(result.originals, ids.length);
    }
    await this.audit.append({
      actor: cmd.actor,
      action: 'archive.integrity.checked',
      subject: cmd.id ? `archive-original:${ids[0]}` : 'archive',
      details: { originals: result.originals, versions: result.versions, problems: result.problems.length },
    });
    return result;
  }

  private async checkOne(o: ArchivedOriginalEntity, totals: IntegrityResult): Promise<IntegrityProblem[]> {
    const problems: IntegrityProblem[] = [];
    const base = { originalId: o.id, contractId: o.contractId };
    const versions: ArchiveVersionEntity[] = await this.queries.versions(o.id);
    let previous: { v: ArchiveVersionEntity; bytes?: Buffer } | undefined;
    for (const v of versions) {
      totals.versions++;
      let bytes: Buffer | undefined;
      if (!(await this.store.has(v.sha256))) {
        problems.push({
          ...base,
          version: v.version,
          kind: 'missing',
          detail: `object ${v.sha256} is missing`,
        });
      } else if (!(await this.store.verify(v.sha256))) {
        problems.push({
          ...base,
          version: v.version,
          kind: 'hash-mismatch',
          detail: `the stored bytes of version ${v.version} no longer hash to ${v.sha256}`,
        });
      } else {
        bytes = await this.store.get(v.sha256);
      }
      if (previous) {
        if (v.previousSha256 !== previous.v.sha256 || v.version !== previous.v.version + 1)
          problems.push({
            ...base,
            version: v.version,
            kind: 'chain-broken',
            detail: `version ${v.version} does not follow version ${previous.v.version}`,
          });
        else if (bytes && previous.bytes && !isAppendOnlyExtension(previous.bytes, bytes))
          problems.push({
            ...base,
            version: v.version,
            kind: 'not-an-extension',
            detail: `version ${v.version} does not start with the bytes of version ${previous.v.version}`,
          });
      }
      previous = { v, bytes };
    }
    const current = versions[versions.length - 1];
    if (!current || current.version !== o.currentVersion || current.sha256 !== o.currentSha256) {
      problems.push({
        ...base,
        kind: 'chain-broken',
        detail: `the current pointer (version ${o.currentVersion}) does not match the newest version row`,
      });
    } else if (previous?.bytes) {
      const report = await this.engine.verify(previous.bytes);
      if (report.indication !== 'TOTAL-PASSED')
        problems.push({
          ...base,
          version: current.version,
          kind: 'validation-failed',
          detail: `the current original validates as ${report.indication}: ${report.entries
            .filter((e) => e.indication !== 'TOTAL-PASSED')
            .map((e) => `${e.fieldName}: ${e.message}`)
            .join('; ')}`.slice(0, 900),
        });
    }
    return problems;
  }
}
