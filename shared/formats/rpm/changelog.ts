import { badRequest } from '../../domain/errors';
import { RpmCodes } from './codes';
import type { RpmHeader } from './header';
import type { RpmChangelog } from './model';
import { Tag } from './tags';

/** createrepo_c's default `--changelog-limit`: other.xml carries the newest entries only. */
export const CHANGELOG_LIMIT = 10;

/**
 * The newest changelog entries, oldest first as other.xml lists them. Entries sharing a timestamp get the
 * newer ones moved a second later, as createrepo_c does, so clients that key entries by date keep them all.
 */
export function readChangelogs(h: RpmHeader): RpmChangelog[] {
  const times = h.numbers(Tag.CHANGELOGTIME) ?? [];
  const names = h.strings(Tag.CHANGELOGNAME) ?? [];
  const texts = h.strings(Tag.CHANGELOGTEXT) ?? [];
  if (times.length !== names.length || times.length !== texts.length) {
    throw badRequest(RpmCodes.BAD_HEADER, `the changelog has ${times.length} times, ${names.length} authors and ${texts.length} texts`);
  }
  // The header lists the newest entry first; `last` keeps the original time of the current run.
  const newestFirst = times.slice(0, CHANGELOG_LIMIT).map((date, i) => ({ author: names[i].replace(/ +$/, ''), date, text: texts[i] }));
  let last = 0;
  newestFirst.forEach((entry, i) => {
    if (entry.date !== last) {
      last = entry.date;
      return;
    }
    let t = entry.date;
    for (let j = i - 1; j >= 0 && newestFirst[j].date === t; j--, t++) newestFirst[j].date = t + 1;
  });
  return newestFirst.reverse();
}
