import { Controller, Get, Header, Module } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { renderPage } from './layout';

@ApiExcludeController()
@Controller()
class HomeController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  home(): string {
    return renderPage({
      title: 'ようこそ',
      body: `<h1>電子契約サービス</h1>
<div class="card">
  <p>ローン契約書への電子署名・タイムスタンプ付与と、署名済み原本の長期保管を行うサービスです。</p>
  <p>ログインには、登録時にお知らせした<strong>個人専用ログインURL</strong>をご利用ください。</p>
</div>`,
    });
  }
}

/** Browser pages: the home page here; each feature module serves its own pages. */
@Module({ controllers: [HomeController] })
export class WebModule {}
