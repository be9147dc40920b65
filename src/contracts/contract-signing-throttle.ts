import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { SigningThrottle } from './domain/signing-throttle';

/** EC-16: one throttle for the whole process, sized by the settings. */
@Injectable()
export class ContractSigningThrottle extends SigningThrottle {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(config.CONTRACT_MAX_CONCURRENT_SIGNINGS, config.CONTRACT_MAX_QUEUED_SIGNINGS);
  }
}
