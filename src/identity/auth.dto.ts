import { ApiProperty } from '@nestjs/swagger';
import { IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';

export class AuthLoginDto {
  @ApiProperty({ description: 'The key of the personal login URL (/login/<loginKey>)' })
  @IsString()
  @MaxLength(128)
  loginKey!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 64)
  loginId!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 1024)
  password!: string;
}

export class AuthOtpDto {
  @ApiProperty()
  @IsUUID()
  challengeId!: string;

  @ApiProperty({ example: '123456' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'otp must be 6 digits' })
  otp!: string;
}

export class AuthResendOtpDto {
  @ApiProperty()
  @IsUUID()
  challengeId!: string;
}

export class AuthChangePasswordDto {
  @ApiProperty()
  @IsString()
  @Length(1, 1024)
  currentPassword!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 1024)
  newPassword!: string;
}
