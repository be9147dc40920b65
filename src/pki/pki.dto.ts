import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { RA_REVOCATION_REASONS, REVOCATION_CHANNELS } from './domain/revocation-reason';

export class ApplyCertificateDto {
  @ApiProperty({ description: '暗証コード (PIN). Never stored; seals the private key.', example: '482915' })
  @IsString()
  @MaxLength(200)
  pin!: string;

  @ApiPropertyOptional({ description: '確認用 (same as pin)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  pinConfirmation?: string;
}

export class ChangePinDto {
  @ApiProperty()
  @IsString()
  @MaxLength(200)
  currentPin!: string;

  @ApiProperty()
  @IsString()
  @MaxLength(200)
  newPin!: string;
}

export class RevokeDto {
  @ApiProperty({ enum: RA_REVOCATION_REASONS, description: 'RFC 5280 CRLReason' })
  @IsIn(RA_REVOCATION_REASONS)
  reason!: (typeof RA_REVOCATION_REASONS)[number];

  @ApiProperty({ enum: ['counter', 'phone'], description: 'EC-11: how the report was received' })
  @IsIn(REVOCATION_CHANNELS.filter((c) => c !== 'system'))
  channel!: 'counter' | 'phone' | 'online';
}

export class CreateSigningIdentityDto {
  @ApiProperty({ example: '本店営業部' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(60)
  branchName!: string;

  @ApiProperty({ example: '支店長' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(30)
  title!: string;

  @ApiProperty({ example: '山田 一郎' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(60)
  personName!: string;

  @ApiProperty({ description: 'PIN the bank signers will use' })
  @IsString()
  @MaxLength(200)
  pin!: string;
}

export class RevokeSigningIdentityDto {
  @ApiPropertyOptional({ enum: RA_REVOCATION_REASONS, default: 'cessationOfOperation' })
  @IsOptional()
  @IsIn(RA_REVOCATION_REASONS)
  reason?: (typeof RA_REVOCATION_REASONS)[number];
}
