import { Module } from '@nestjs/common';
import { PkiModule } from '../pki/pki.module';
import { TsaModule } from '../tsa/tsa.module';
import { PadesEngine } from './pades-engine.service';

/** The PAdES engine (signing B-B…B-LTA, DSS, document timestamps, validation) as a provider. */
@Module({
  imports: [PkiModule, TsaModule],
  providers: [PadesEngine],
  exports: [PadesEngine],
})
export class PadesModule {}
