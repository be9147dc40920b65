import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import {
  ContractDocumentEntity,
  ContractEntity,
  ContractEventEntity,
  ContractSignerEntity,
} from './contract.entity';
import { contractNotFound, ContractErrorCode } from './contracts.errors';
import { ContractSnapshot } from './domain/contract-workflow';

export interface LoadedContract {
  contract: ContractEntity;
  signers: ContractSignerEntity[];
}

/** Reads and locks contracts; the only place that knows how rows map to the domain snapshot. */
@Injectable()
export class ContractRepository {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  async load(id: string, m: EntityManager = this.dataSource.manager): Promise<LoadedContract> {
    if (!isUuid(id)) throw contractNotFound();
    const contract = await m.getRepository(ContractEntity).findOneBy({ id });
    if (!contract) throw contractNotFound();
    return { contract, signers: await this.signersOf(id, m) };
  }

  /**
   * Loads the contract row locked for the rest of the transaction (PostgreSQL: SELECT … FOR
   * UPDATE; SQLite serialises writers), and refuses if it changed since `expectedRowVersion`:
   * the slow work (signing, time-stamping) happens outside the transaction, so a concurrent
   * change in between must not be overwritten.
   */
  async loadForUpdate(m: EntityManager, id: string, expectedRowVersion?: number): Promise<LoadedContract> {
    const qb = m.getRepository(ContractEntity).createQueryBuilder('c').where('c.id = :id', { id });
    if (m.connection.options.type === 'postgres') qb.setLock('pessimistic_write');
    const contract = await qb.getOne();
    if (!contract) throw contractNotFound();
    if (expectedRowVersion !== undefined && contract.rowVersion !== expectedRowVersion) {
      throw AppError.conflict(
        ContractErrorCode.CONCURRENT_UPDATE,
        '他の操作によって契約書の状態が変わりました。画面を更新してからやり直してください。',
      );
    }
    return { contract, signers: await this.signersOf(id, m) };
  }

  signersOf(id: string, m: EntityManager = this.dataSource.manager): Promise<ContractSignerEntity[]> {
    return m.getRepository(ContractSignerEntity).find({ where: { contractId: id }, order: { order: 'ASC' } });
  }

  documentsOf(id: string, m: EntityManager = this.dataSource.manager): Promise<ContractDocumentEntity[]> {
    return m
      .getRepository(ContractDocumentEntity)
      .find({ where: { contractId: id }, order: { version: 'ASC' } });
  }

  eventsOf(id: string, m: EntityManager = this.dataSource.manager): Promise<ContractEventEntity[]> {
    return m
      .getRepository(ContractEventEntity)
      .find({ where: { contractId: id }, order: { seq: 'ASC', at: 'ASC' } });
  }

  /** Saves a state change and bumps the row version. */
  async saveContract(m: EntityManager, c: ContractEntity, now: Date): Promise<void> {
    c.updatedAt = now;
    c.rowVersion += 1;
    await m.getRepository(ContractEntity).save(c);
  }
}

export function snapshotOf(l: LoadedContract): ContractSnapshot {
  return {
    status: l.contract.status,
    currentSignerOrder: l.contract.currentSignerOrder,
    deadline: l.contract.deadline,
    signers: l.signers.map((s) => ({ order: s.order, subscriberId: s.subscriberId, signedAt: s.signedAt })),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(s: string): boolean {
  return UUID.test(s);
}
