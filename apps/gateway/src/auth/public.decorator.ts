import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'lazyllm:public';

/** Leaves a controller or route open when API_KEYS is set: health checks and metrics scrapes carry no key. */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(IS_PUBLIC, true);
