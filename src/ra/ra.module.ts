import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { RaPagesController } from './ra-pages.controller';
import { RaSubscribersController } from './ra-subscribers.controller';
import { RegisterSubscriber } from './register-subscriber.usecase';
import { UpdateSubscriber } from './update-subscriber.usecase';

/** Registration authority (EC-02): subscriber registration and management by RA officers. */
@Module({
  imports: [IdentityModule],
  controllers: [RaSubscribersController, RaPagesController],
  providers: [RegisterSubscriber, UpdateSubscriber],
  exports: [RegisterSubscriber, UpdateSubscriber],
})
export class RaModule {}
