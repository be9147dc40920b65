import { ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, CommonErrorCode } from '../errors/app-error';

function flatten(errors: ValidationError[], parent = ''): { field: string; problems: string[] }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** DTO validation: unknown fields are refused; the error names every failing field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new AppError(
        CommonErrorCode.VALIDATION_FAILED,
        400,
        `入力内容に誤りがあります: ${fields.map((f) => f.field).join(', ')}`,
        { fields },
      );
    },
  });
}
