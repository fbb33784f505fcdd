import type { StoredFile } from '../format';
import type { ArtifactFile } from './coordinates';

/** What the rebuild needs of one deployed file: its name parts and its size. */
export interface MavenFragment extends ArtifactFile {
  size: number;
  sha1: string;
}

export const mavenFragment = (file: ArtifactFile, stored: StoredFile): string =>
  JSON.stringify({ ...file, size: stored.size, sha1: stored.hashes.sha1 } satisfies MavenFragment);

export const readMavenFragment = (fragment: string): MavenFragment => JSON.parse(fragment) as MavenFragment;
