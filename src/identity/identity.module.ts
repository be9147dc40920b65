import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountChangeEntity } from './account-change.entity';
import { AccountLifecycle } from './account-lifecycle';
import { AccountEntity } from './account.entity';
import { AccountService } from './account.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { SessionService } from './auth/session.service';
import { BootstrapAdmin } from './bootstrap-admin.service';
import { ChangeAccountStatus } from './change-account-status.usecase';
import { ChangePassword } from './change-password.usecase';
import { IdentityMail } from './identity-mail';
import { IdentityPagesController } from './identity-pages.controller';
import { LoginChallengeEntity } from './login-challenge.entity';
import { PersonalLoginUrls } from './personal-login-url.service';
import { RegisterStaff } from './register-staff.usecase';
import { ReissueCredentials } from './reissue-credentials.usecase';
import { ResendOtp } from './resend-otp.usecase';
import { SessionEntity } from './session.entity';
import { StaffController } from './staff.controller';
import { StartLogin } from './start-login.usecase';
import { StaffDirectory, SubscriberDirectory } from './subscriber-directory.service';
import { SubscriberProfileEntity } from './subscriber-profile.entity';
import { UnlockAccount } from './unlock-account.usecase';
import { UpdateStaff } from './update-staff.usecase';
import { VerifyOtp } from './verify-otp.usecase';

/**
 * Staff and subscriber accounts, login (personal URL + password + emailed OTP), sessions,
 * lockout. Import this module to use RequireStaff / RequireSubscriber / RequireAuth and
 * CurrentPrincipal, and SubscriberDirectory / StaffDirectory.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      AccountEntity,
      SubscriberProfileEntity,
      LoginChallengeEntity,
      SessionEntity,
      AccountChangeEntity,
    ]),
  ],
  controllers: [AuthController, StaffController, IdentityPagesController],
  providers: [
    AccountLifecycle,
    AccountService,
    PersonalLoginUrls,
    SessionService,
    AuthGuard,
    IdentityMail,
    StartLogin,
    VerifyOtp,
    ResendOtp,
    ChangePassword,
    RegisterStaff,
    UpdateStaff,
    ChangeAccountStatus,
    UnlockAccount,
    ReissueCredentials,
    BootstrapAdmin,
    SubscriberDirectory,
    StaffDirectory,
  ],
  exports: [
    AccountLifecycle,
    SessionService,
    AuthGuard,
    AccountService,
    IdentityMail,
    ChangeAccountStatus,
    UnlockAccount,
    ReissueCredentials,
    SubscriberDirectory,
    StaffDirectory,
    BootstrapAdmin,
  ],
})
export class IdentityModule {}
