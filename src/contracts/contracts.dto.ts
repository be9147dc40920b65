import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { z } from 'zod';
import { AppError, CommonErrorCode } from '../common/errors/app-error';
import { CONTRACT_STATUSES, ContractStatus, isCalendarDate, LOAN_TYPES } from './domain/contract-workflow';

export class BankSignatureDto {
  @ApiProperty({ description: 'The branch manager signing identity (PKI module).' })
  @IsUUID()
  signingIdentityId!: string;

  @ApiProperty({ description: 'PIN of that signing identity. Never logged.' })
  @IsString()
  @Length(1, 64)
  pin!: string;
}

export class PartySignatureDto {
  @ApiProperty({ description: 'Certificate PIN (EC-05 step 4). Never logged.' })
  @IsString()
  @Length(1, 64)
  pin!: string;

  @ApiPropertyOptional({ description: 'The party has read and agrees to the terms; must be true.' })
  @IsOptional()
  @IsBoolean()
  agreed?: boolean;
}

export class CancelContractDto {
  @ApiProperty({ maxLength: 500 })
  @IsString()
  @Length(1, 500)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason!: string;
}

export class ListContractsQuery {
  @ApiPropertyOptional({ enum: CONTRACT_STATUSES })
  @IsOptional()
  @IsIn(CONTRACT_STATUSES)
  status?: ContractStatus;
}

const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID');

/** The contract fields of the multipart upload (all arrive as strings). */
const newContractSchema = z.object({
  title: z.string().trim().min(1).max(200),
  loanType: z.enum(LOAN_TYPES),
  amount: z
    .string()
    .regex(/^[1-9]\d{0,14}$/, 'must be a whole number of yen (1 or more)')
    .transform(Number)
    .refine(Number.isSafeInteger),
  counterparty: z.string().trim().min(1).max(200),
  contractDate: z.string().refine(isCalendarDate, 'must be a date YYYY-MM-DD'),
  signerIds: z.array(uuid).min(1),
  deadline: z.string().max(40).optional(),
});

export type NewContractFields = z.infer<typeof newContractSchema>;

/**
 * Reads the multipart fields: either one `data` field holding JSON, or one field per property
 * (`signerIds` repeated, `signerIds[]`, a JSON array or a comma-separated list).
 */
export function parseNewContractFields(body: Record<string, unknown>): NewContractFields {
  let raw: Record<string, unknown> = { ...body };
  if (typeof body.data === 'string') {
    try {
      const parsed = JSON.parse(body.data) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      raw = { ...(parsed as Record<string, unknown>) };
    } catch {
      throw AppError.badRequest(CommonErrorCode.VALIDATION_FAILED, '入力内容に誤りがあります: data', {
        fields: [{ field: 'data', problems: ['must be a JSON object'] }],
      });
    }
  }
  const ids = raw.signerIds ?? raw['signerIds[]'];
  delete raw['signerIds[]'];
  raw.signerIds = toList(ids);
  if (typeof raw.amount === 'number') raw.amount = String(raw.amount);
  if (raw.deadline === '' || raw.deadline === null) delete raw.deadline;
  const unknownKeys = Object.keys(raw).filter((k) => !(k in newContractSchema.shape));
  const result = newContractSchema.safeParse(raw);
  const fields = [
    ...unknownKeys.map((k) => ({ field: k, problems: ['unknown field'] })),
    ...(result.success
      ? []
      : result.error.issues.map((i) => ({ field: String(i.path[0] ?? ''), problems: [i.message] }))),
  ];
  if (fields.length > 0 || !result.success) {
    throw AppError.badRequest(
      CommonErrorCode.VALIDATION_FAILED,
      `入力内容に誤りがあります: ${[...new Set(fields.map((f) => f.field))].join(', ')}`,
      { fields },
    );
  }
  return result.data;
}

function toList(v: unknown): unknown {
  if (Array.isArray(v)) return v;
  if (typeof v !== 'string') return v;
  const s = v.trim();
  if (s.startsWith('[')) {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      return v;
    }
  }
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}
