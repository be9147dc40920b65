import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMinSize,
  IsArray,
  IsEmail,
  IsEnum,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { StaffRole } from './auth/principal';
import { LOGIN_ID_PATTERN } from './domain/credentials';

export class RegisterStaffDto {
  @ApiProperty()
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty()
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ enum: StaffRole, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @IsEnum(StaffRole, { each: true })
  roles!: StaffRole[];

  @ApiPropertyOptional({ description: 'Generated (S + 8 digits) when omitted' })
  @IsOptional()
  @Matches(LOGIN_ID_PATTERN)
  loginId?: string;
}

export class UpdateStaffDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ enum: StaffRole, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsEnum(StaffRole, { each: true })
  roles?: StaffRole[];
}

export class StatusReasonDto {
  @ApiPropertyOptional({ description: 'Why (kept in the history and audit log)' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}
