/** Header tag numbers Packyard reads (rpm `include/rpm/rpmtag.h`, `docs/manual/tags.md`). */
export const Tag = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  DESCRIPTION: 1005,
  BUILDTIME: 1006,
  BUILDHOST: 1007,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  PACKAGER: 1015,
  GROUP: 1016,
  URL: 1020,
  OS: 1021,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  FILEMODES: 1030,
  FILEFLAGS: 1037,
  SOURCERPM: 1044,
  ARCHIVESIZE: 1046,
  PROVIDENAME: 1047,
  REQUIREFLAGS: 1048,
  REQUIRENAME: 1049,
  REQUIREVERSION: 1050,
  NOSOURCE: 1051,
  NOPATCH: 1052,
  CONFLICTFLAGS: 1053,
  CONFLICTNAME: 1054,
  CONFLICTVERSION: 1055,
  CHANGELOGTIME: 1080,
  CHANGELOGNAME: 1081,
  CHANGELOGTEXT: 1082,
  OBSOLETENAME: 1090,
  SOURCEPACKAGE: 1106,
  PROVIDEFLAGS: 1112,
  PROVIDEVERSION: 1113,
  OBSOLETEFLAGS: 1114,
  OBSOLETEVERSION: 1115,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  PAYLOADFORMAT: 1124,
  PAYLOADCOMPRESSOR: 1125,
  OLDSUGGESTSNAME: 1156,
  OLDSUGGESTSVERSION: 1157,
  OLDSUGGESTSFLAGS: 1158,
  OLDENHANCESNAME: 1159,
  OLDENHANCESVERSION: 1160,
  OLDENHANCESFLAGS: 1161,
  LONGSIZE: 5009,
  RECOMMENDNAME: 5046,
  RECOMMENDVERSION: 5047,
  RECOMMENDFLAGS: 5048,
  SUGGESTNAME: 5049,
  SUGGESTVERSION: 5050,
  SUGGESTFLAGS: 5051,
  SUPPLEMENTNAME: 5052,
  SUPPLEMENTVERSION: 5053,
  SUPPLEMENTFLAGS: 5054,
  ENHANCENAME: 5055,
  ENHANCEVERSION: 5056,
  ENHANCEFLAGS: 5057,
  PAYLOADDIGEST: 5092,
  PAYLOADDIGESTALGO: 5093,
} as const;

/** Signature header tags (rpm `rpmtag.h`, RPMSIGTAG_*). */
export const SigTag = {
  /** Header + payload size (32 bit). */
  SIZE: 1000,
  /** MD5 over header + payload (16 raw bytes). */
  MD5: 1004,
  /** Uncompressed payload size (32 bit). */
  PAYLOADSIZE: 1007,
  /** SHA1 of the main header, hex. */
  SHA1: 269,
  /** Header + payload size (64 bit). */
  LONGSIZE: 270,
  /** Uncompressed payload size (64 bit). */
  LONGARCHIVESIZE: 271,
  /** SHA256 of the main header, hex. */
  SHA256: 273,
} as const;

/** Dependency flag bits (rpm `rpmds.h`, RPMSENSE_*). */
export const Sense = {
  LESS: 1 << 1,
  GREATER: 1 << 2,
  EQUAL: 1 << 3,
  PREREQ: 1 << 6,
  SCRIPT_PRE: 1 << 9,
  SCRIPT_POST: 1 << 10,
  MISSINGOK: 1 << 19,
  /** Legacy (SUSE) weak dependencies: strong = recommends/supplements, else suggests/enhances. */
  STRONG: 1 << 27,
} as const;

/** File flag bits (RPMFILE_*). */
export const FileFlag = {
  GHOST: 1 << 6,
} as const;

/** PAYLOADDIGESTALGO values (OpenPGP hash ids) -> node:crypto names. */
export const DIGEST_ALGOS: Readonly<Record<number, string>> = { 1: 'md5', 2: 'sha1', 8: 'sha256', 9: 'sha384', 10: 'sha512' };
