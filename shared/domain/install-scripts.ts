/**
 * Install scripts in Packagecloud's manner: run on a machine, they detect its OS, mint a read token for
 * that host with a master token (private repositories), install the repository key and write the package
 * manager's source with the credential in a 0600 file. Pure rendering; the values are shell-quoted.
 *
 * `PACKYARD_ROOT` prefixes every path written (a chroot or a test directory), `PACKYARD_MASTER_TOKEN`
 * overrides the master token, `os`/`dist` override the detected distribution, `PACKYARD_SKIP_UPDATE=1` skips
 * the package manager's refresh.
 */
export interface ScriptInput {
  baseUrl: string;
  repo: string;
  private: boolean;
  /** The master token the script was fetched with, if any (it is embedded so `curl URL | sudo bash` works). */
  masterToken?: string;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function common(input: ScriptInput): string {
  return `#!/bin/sh
# Packyard install script for ${input.repo}
set -eu
PACKYARD_URL=${q(input.baseUrl)}
REPO=${q(input.repo)}
PRIVATE=${input.private ? 1 : 0}
MASTER_TOKEN="\${PACKYARD_MASTER_TOKEN:-${input.masterToken ? input.masterToken.replace(/[^A-Za-z0-9_.-]/g, '') : ''}}"
ROOT="\${PACKYARD_ROOT:-}"
NAME=$(echo "$REPO" | tr '/' '-')

fail() { echo "packyard: $*" >&2; exit 1; }
command -v curl >/dev/null 2>&1 || fail "curl is required"

if [ -n "\${os:-}" ]; then ID="$os"; else
  [ -r "$ROOT/etc/os-release" ] || fail "cannot detect the OS: no /etc/os-release (set os= and dist=)"
  . "$ROOT/etc/os-release"
fi

READ_TOKEN=""
if [ "$PRIVATE" = 1 ]; then
  [ -n "$MASTER_TOKEN" ] || fail "$REPO is private: give a master token (PACKYARD_MASTER_TOKEN, or fetch this script as https://MASTER_TOKEN:@host/...)"
  HOST=$(hostname -f 2>/dev/null || hostname)
  READ_TOKEN=$(curl -fsS -u "$MASTER_TOKEN:" --data-urlencode "name=$HOST" "$PACKYARD_URL/install/repositories/$REPO/tokens.text") \\
    || fail "could not mint a read token for $HOST"
fi

fetch() {
  if [ -n "$READ_TOKEN" ]; then curl -fsSL -u "$READ_TOKEN:" "$1"; else curl -fsSL "$1"; fi
}
`;
}

export function debScript(input: ScriptInput): string {
  return `${common(input)}
case "\${ID:-}" in
  debian|ubuntu|raspbian|linuxmint|elementaryos|pop) DISTRO="$ID" ;;
  *) DISTRO=any ;;
esac
CODENAME="\${dist:-\${VERSION_CODENAME:-}}"
if [ "$DISTRO" = any ] || [ -z "$CODENAME" ]; then DISTRO=any; CODENAME=any; fi

KEYRING="$ROOT/etc/apt/keyrings/$NAME.asc"
mkdir -p "$ROOT/etc/apt/keyrings" "$ROOT/etc/apt/sources.list.d" "$ROOT/etc/apt/auth.conf.d"
fetch "$PACKYARD_URL/$REPO/gpgkey" > "$KEYRING.tmp" || fail "could not download the repository key"
mv "$KEYRING.tmp" "$KEYRING"
chmod 0644 "$KEYRING"
echo "deb [signed-by=$KEYRING] $PACKYARD_URL/$REPO/$DISTRO $CODENAME main" > "$ROOT/etc/apt/sources.list.d/$NAME.list"
if [ -n "$READ_TOKEN" ]; then
  # apt applies auth.conf to plain http only when the machine names the scheme.
  case "$PACKYARD_URL" in https://*) MACHINE="\${PACKYARD_URL#https://}" ;; *) MACHINE="$PACKYARD_URL" ;; esac
  umask 077
  echo "machine $MACHINE/$REPO login $READ_TOKEN password " > "$ROOT/etc/apt/auth.conf.d/$NAME.conf"
  chmod 0600 "$ROOT/etc/apt/auth.conf.d/$NAME.conf"
fi
echo "packyard: $REPO configured for $DISTRO/$CODENAME"
[ "\${PACKYARD_SKIP_UPDATE:-0}" = 1 ] || apt-get update
`;
}

export function rpmScript(input: ScriptInput): string {
  return `${common(input)}
case "\${ID:-}" in
  rhel|centos|rocky|almalinux|ol) DISTRO=el; [ "$ID" = ol ] && DISTRO=ol ;;
  fedora) DISTRO=fedora ;;
  amzn) DISTRO=amzn ;;
  opensuse*|sles) DISTRO=opensuse; [ "$ID" = sles ] && DISTRO=sles ;;
  *) DISTRO=rpm_any ;;
esac
RELEASE="\${dist:-$(echo "\${VERSION_ID:-}" | cut -d. -f1)}"
if [ "$DISTRO" = rpm_any ] || [ -z "$RELEASE" ]; then DISTRO=rpm_any; RELEASE=rpm_any; fi

REPOFILE="$ROOT/etc/yum.repos.d/$NAME.repo"
mkdir -p "$ROOT/etc/yum.repos.d" "$ROOT/etc/pki/rpm-gpg"
fetch "$PACKYARD_URL/$REPO/gpgkey" > "$ROOT/etc/pki/rpm-gpg/RPM-GPG-KEY-$NAME" || fail "could not download the repository key"
umask 077
{
  echo "[$NAME]"
  echo "name=$REPO"
  echo "baseurl=$PACKYARD_URL/$REPO/$DISTRO/$RELEASE/\\$basearch"
  echo "enabled=1"
  echo "gpgcheck=0"
  echo "repo_gpgcheck=1"
  echo "gpgkey=file://$ROOT/etc/pki/rpm-gpg/RPM-GPG-KEY-$NAME"
  if [ -n "$READ_TOKEN" ]; then echo "username=$READ_TOKEN"; echo "password="; fi
} > "$REPOFILE"
chmod 0600 "$REPOFILE"
echo "packyard: $REPO configured for $DISTRO/$RELEASE"
[ "\${PACKYARD_SKIP_UPDATE:-0}" = 1 ] || { if command -v dnf >/dev/null 2>&1; then dnf -q makecache; else yum -q makecache; fi; }
`;
}
