import { Controller, Get, Header, Param, ParseUUIDPipe, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import type { Response } from 'express';
import { CurrentCustomer, CustomerAuthGuard } from '../customers/customer-auth.guard';
import { CustomerPrincipal } from '../customers/customer-auth.service';
import { InquiriesService } from './inquiries.service';

class HistoryQueryDto {
  @ApiPropertyOptional({ example: '2026-10-01' }) @IsOptional() @Matches(/^\d{4}-\d{2}-\d{2}$/) from?: string;
  @ApiPropertyOptional({ example: '2026-10-31' }) @IsOptional() @Matches(/^\d{4}-\d{2}-\d{2}$/) to?: string;
  @ApiPropertyOptional({ default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page?: number;
  @ApiPropertyOptional({ default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  pageSize?: number;
}

@ApiTags('banking: accounts')
@ApiBearerAuth()
@ApiCookieAuth()
@UseGuards(CustomerAuthGuard)
@Controller('api/banking/accounts')
export class InquiriesController {
  constructor(private readonly inquiries: InquiriesService) {}

  @Get()
  @ApiOperation({ summary: 'Service accounts with balance, withdrawable amount and limits (BK-11)' })
  list(@CurrentCustomer() p: CustomerPrincipal) {
    return this.inquiries.serviceAccounts(p);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One service account' })
  one(@CurrentCustomer() p: CustomerPrincipal, @Param('id', ParseUUIDPipe) id: string) {
    return this.inquiries.account(p, id);
  }

  @Get(':id/transactions')
  @ApiOperation({
    summary: 'History (入出金明細) for a period within BANKING_HISTORY_MONTHS, newest first, paginated',
  })
  history(
    @CurrentCustomer() p: CustomerPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() q: HistoryQueryDto,
  ) {
    return this.inquiries.history(p, id, q);
  }

  @Get(':id/transactions.csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiOperation({ summary: 'History as CSV (UTF-8 with BOM), oldest first' })
  async csv(
    @CurrentCustomer() p: CustomerPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() q: HistoryQueryDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { filename, body } = await this.inquiries.csv(p, id, q);
    res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    return body;
  }
}
