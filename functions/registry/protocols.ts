import type { RegistrySegment } from '../../shared/domain/distribution';
import { cargoProtocol } from './cargo';
import { gemsProtocol } from './gems';
import { helmProtocol } from './helm';
import { mavenProtocol } from './maven';
import { npmProtocol } from './npm';
import { nugetProtocol } from './nuget';
import type { NativeProtocol } from './protocol';
import { pypiProtocol } from './pypi';

/** The native protocols by URL segment; adding a registry means adding it here. */
export const PROTOCOLS: Partial<Record<RegistrySegment, NativeProtocol>> = {
  cargo: cargoProtocol,
  gems: gemsProtocol,
  helm: helmProtocol,
  maven: mavenProtocol,
  npm: npmProtocol,
  nuget: nugetProtocol,
  pypi: pypiProtocol,
};
