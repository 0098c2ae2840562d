# Sourced by install_deps.sh and install_bench_deps.sh: apt_install_missing PACKAGE... installs,
# from Debian, those of the packages not yet installed, and says so; with none missing it says that.
# Runs apt-get directly as root, through sudo otherwise.
apt_install_missing() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    echo "all present: $*"
    return
  fi
  echo "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}
