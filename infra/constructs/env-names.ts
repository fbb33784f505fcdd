import { ENV } from '../../shared/config';

/** Every environment variable name the constructs set. */
export const RUNTIME_ENV = ENV;
