import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { SUBSCRIBER_KINDS, SubscriberKind, SubscriberStatus } from '../identity/auth/principal';

/** Identity documents the bank accepts (seed 000 §8, 用語⑤); `other` needs the officer's note. */
export const ID_DOCUMENT_TYPES = [
  'drivers_license',
  'my_number_card',
  'passport',
  'residence_card',
  'health_insurance_card',
  'seal_certificate',
  'corporate_registry',
  'other',
] as const;
export type IdDocumentType = (typeof ID_DOCUMENT_TYPES)[number];

const KANA = /^[\u30A0-\u30FF\u3040-\u309F\u3000 ー・]+$/;

export class IdentityVerificationDto {
  @ApiProperty({ enum: ID_DOCUMENT_TYPES })
  @IsIn(ID_DOCUMENT_TYPES)
  documentType!: IdDocumentType;

  @ApiProperty({ description: 'Only the last four characters of the document number are kept' })
  @Matches(/^[A-Za-z0-9]{4}$/, { message: 'documentNumberLast4 must be exactly 4 letters or digits' })
  documentNumberLast4!: string;

  @ApiProperty({ description: 'When the officer checked the document (ISO 8601)' })
  @IsISO8601({ strict: true })
  verifiedAt!: string;
}

export class RegisterSubscriberDto {
  @ApiProperty({ enum: SUBSCRIBER_KINDS })
  @IsIn(SUBSCRIBER_KINDS)
  kind!: SubscriberKind;

  @ApiProperty({ description: '氏名（漢字）' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ description: '氏名（カナ）' })
  @IsString()
  @Length(1, 200)
  @Matches(KANA, { message: 'nameKana must be written in kana' })
  nameKana!: string;

  @ApiProperty()
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^\+?[0-9-]{8,20}$/, { message: 'phone must be digits and hyphens' })
  phone?: string;

  @ApiPropertyOptional({ example: '1980-04-01' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'birthDate must be YYYY-MM-DD' })
  birthDate?: string;

  @ApiPropertyOptional({ description: 'Required for kind=corporate' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  corporationName?: string;

  @ApiPropertyOptional({ description: '電子契約責任者の役職 (corporate)' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  officerTitle?: string;

  @ApiPropertyOptional({ description: 'The authority the corporation designated (EC-01)' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  officerAuthority?: string;

  @ApiProperty({ type: IdentityVerificationDto })
  @IsObject()
  @ValidateNested()
  @Type(() => IdentityVerificationDto)
  identityVerification!: IdentityVerificationDto;
}

export class UpdateSubscriberDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @Matches(KANA, { message: 'nameKana must be written in kana' })
  nameKana?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^\+?[0-9-]{8,20}$/, { message: 'phone must be digits and hyphens' })
  phone?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  corporationName?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  officerTitle?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  officerAuthority?: string;
}

export class SearchSubscribersDto {
  @ApiPropertyOptional({ description: 'Part of name, kana, login ID, email or corporation name' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  query?: string;

  @ApiPropertyOptional({ enum: ['active', 'suspended', 'restricted', 'deleted'] })
  @IsOptional()
  @IsIn(['active', 'suspended', 'restricted', 'deleted'])
  status?: SubscriberStatus;

  @ApiPropertyOptional({ default: 50, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}
