import { Inject } from '@nestjs/common';
import { CELERIAC_APP } from '../celeriac.constants.js';

/**
 * Injects the Celeriac app (`CeleriacApp`: `sendTask`, `signature`, `asyncResult`, `control`...).
 *
 * @example
 * constructor(@InjectCeleriac() private readonly celeriac: CeleriacApp) {}
 */
export function InjectCeleriac(): PropertyDecorator & ParameterDecorator {
  return Inject(CELERIAC_APP);
}
