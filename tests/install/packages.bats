#!/usr/bin/env bats
# packages.bats — every dependency is named (docs/architecture.md, rule 10). Each <header> the
# C sources include, each command the stack, the suites and the benchmarks run, and each
# Python module they import must come from a Debian package of scripts/dev's list
# (`scripts/dev packages`, the one list), and configure must check each header beyond libc
# and the compiler with a message naming its package. It reads the tree as it is and asks
# dpkg who owns each file, so a package missing from the list fails here even on a machine
# that happens to have it installed. It needs no stack (it also runs under make distcheck):
# bats-tap: runs without the dev stack

# What build-essential brings: libc's and the kernel's headers, and the compiler's own.
BUILD_ESSENTIAL_HEADERS='^(libc6-dev|linux-libc-dev|libgcc-[0-9]+-dev)$'
# Commands the stack and the suites cannot do without, whether or not the scan below finds them.
STACK_COMMANDS=(nginx mosquitto mosquitto_pub mosquitto_sub spawn-fcgi psql bats jq curl wrk
  python3 cc make autoreconf pkg-config runuser setsid flock)
# Where a fresh Debian's packages put programs (not /usr/local, not a user's PATH).
SYSTEM_PATH=/usr/sbin:/usr/bin:/sbin:/bin

setup_file() {
  SRC=${top_srcdir:-${STATION_SRC_DIR:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}}
  export SRC
  command -v dpkg-query >/dev/null || return 0 # not Debian: every test skips
  bash "$SRC/scripts/dev" packages >"$BATS_FILE_TMPDIR/listed"
  # Installing the list brings these too (dependencies of dependencies), and Debian's required
  # packages are on every system.
  apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances $(cat "$BATS_FILE_TMPDIR/listed") 2>/dev/null |
    grep -v -e '^ ' -e '^<' >"$BATS_FILE_TMPDIR/brought" || true
  dpkg-query -W -f='${Package} ${Priority} ${Essential}\n' |
    awk '$2 == "required" || $3 == "yes" { print $1 }' >>"$BATS_FILE_TMPDIR/brought"
  cat "$BATS_FILE_TMPDIR/listed" >>"$BATS_FILE_TMPDIR/brought"
}

setup() {
  command -v dpkg-query >/dev/null || skip "not a Debian system (no dpkg-query)"
  LISTED=$BATS_FILE_TMPDIR/listed
  BROUGHT=$BATS_FILE_TMPDIR/brought
}

# The tree's files (find's name tests as arguments), without what git, autotools, builds and
# the dev stack write.
tree_files() {
  (cd "$SRC" && find . \( -path ./.git -o -path ./.build -o -path ./.run -o -path ./_build -o -path ./_inst \
    -o -path './smart-station-*' -o -path ./autom4te.cache -o -path ./build-aux -o -path ./m4 \
    -o -path ./configure -o -path ./config.status -o -path ./libtool -o -name __pycache__ -o -name '*~' \) -prune -o \
    -type f \( "$@" \) -print | sed 's|^\./||' | LC_ALL=C sort)
}

# Shell scripts: *.bash, *.bats, and files starting with a sh or bash #! line.
shell_files() {
  local f
  tree_files -name '*' | while read -r f; do
    case $f in
    *.bash | *.bats) echo "$f" ;;
    *.c | *.h | *.md | *.sql | *.in | *.py | *.inc | *.am | *.ac) ;;
    *) head -n 1 "$SRC/$f" | grep -q -E '^#!.*[/ ](ba)?sh$' && echo "$f" || true ;;
    esac
  done
}

# The names dpkg may know PATH by: itself, its target, and both without /usr (merged /usr).
path_names() {
  local real
  real=$(readlink -f "$1")
  printf '%s\n' "$1" "$real"
  case $1 in /usr/*) echo "${1#/usr}" ;; esac
  case $real in /usr/*) echo "${real#/usr}" ;; esac
}

# know_owners PATH…: asks dpkg once about many files, for owner (a dpkg query is slow).
know_owners() {
  local p
  for p in "$@"; do path_names "$p"; done | sort -u | xargs -r dpkg-query -S 2>/dev/null |
    grep -v '^diversion' >>"$BATS_FILE_TMPDIR/owners" || true
}

# owner PATH: the Debian packages owning PATH (one a line), also through symlinks and merged /usr.
owner() {
  local names out
  names=$(path_names "$1")
  out=$(awk 'NR == FNR { want[": " $0] = 1; next }
    { for (w in want) if (substr($0, length($0) - length(w) + 1) == w) { print; exit } }' \
    - "$BATS_FILE_TMPDIR/owners" <<<"$names" 2>/dev/null)
  [ -n "$out" ] || out=$(xargs -r dpkg-query -S <<<"$names" 2>/dev/null | grep -v '^diversion' | head -n 1) || true
  [ -n "$out" ] || return 1
  echo "${out%%: /*}" | sed 's/, /\n/g' | sed 's/:[a-z0-9]*$//'
}

# in_list FILE PACKAGE…: true when one of the packages is a line of FILE.
in_list() {
  local file=$1 p
  shift
  for p in "$@"; do grep -q -x -F -- "$p" "$file" && return 0; done
  return 1
}

# brought_or_error WHAT PATH: the package of PATH is one PACKAGES brings; else why not is
# added to $errors, naming WHAT.
brought_or_error() {
  local pkgs
  pkgs=$(owner "$2" | paste -s -d ' ') || true
  if [ -z "$pkgs" ]; then
    errors+="$1: belongs to no Debian package"$'\n'
  elif ! in_list "$BROUGHT" $pkgs; then
    errors+="$1 is in the package $pkgs, which scripts/dev's PACKAGES does not bring"$'\n'
  fi
}

# The pkg-config modules configure.ac asks for.
pkg_modules() {
  sed -n -E 's/^[[:space:]]*(STATION_LIBRARY|PKG_CHECK_MODULES)\(\[[A-Z_]+\], *\[([^]]+)\].*/\2/p' "$SRC/configure.ac"
}

# header → path → packages, for every <header> of the C sources (tab-separated; "-" when not found).
header_table() {
  local dirs=() d h path
  while read -r d; do dirs+=("$d"); done < <(${CC:-cc} -E -Wp,-v -x c - </dev/null 2>&1 |
    sed -n '/#include <\.\.\.> search starts here:/,/End of search list\./{s/^ //p}')
  while read -r d; do dirs+=("${d#-I}"); done < <(pkg_modules | xargs -r pkg-config --cflags-only-I 2>/dev/null |
    tr ' ' '\n' | grep '^-I')
  tree_files -name '*.c' -o -name '*.h' | (cd "$SRC" && xargs -r grep -h -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*<[^>]+>') |
    sed -E 's/.*<([^>]+)>.*/\1/' | LC_ALL=C sort -u | while read -r h; do
    path=-
    for d in "${dirs[@]}"; do
      if [ -e "$d/$h" ]; then
        path=$d/$h
        break
      fi
    done
    printf '%s\t%s\n' "$h" "$path"
  done >"$BATS_FILE_TMPDIR/header-paths"
  know_owners $(cut -f 2 "$BATS_FILE_TMPDIR/header-paths" | grep -v -x -e -)
  while IFS=$'\t' read -r h path; do
    if [ "$path" = - ]; then
      printf '%s\t-\t-\n' "$h"
    else
      printf '%s\t%s\t%s\n' "$h" "$path" "$(owner "$path" | paste -s -d ' ')"
    fi
  done <"$BATS_FILE_TMPDIR/header-paths"
}

@test "every <header> of the C sources comes from a package scripts/dev installs" {
  local h path pkgs errors=
  in_list "$LISTED" build-essential || errors+="build-essential is not in scripts/dev's PACKAGES"$'\n'
  header_table >"$BATS_FILE_TMPDIR/headers"
  [ -s "$BATS_FILE_TMPDIR/headers" ] || { echo "no #include <…> found under $SRC" >&2; return 1; }
  while IFS=$'\t' read -r h path pkgs; do
    if [ "$path" = - ]; then
      errors+="<$h>: not in the compiler's include path nor pkg-config's: install its package and name it in scripts/dev's PACKAGES"$'\n'
    elif [ -z "${pkgs// /}" ]; then
      errors+="<$h>: $path belongs to no Debian package"$'\n'
    elif printf '%s\n' $pkgs | grep -q -E "$BUILD_ESSENTIAL_HEADERS"; then
      :
    elif ! in_list "$LISTED" $pkgs; then
      errors+="<$h>: $path is in the package $pkgs, which scripts/dev's PACKAGES does not name"$'\n'
    fi
  done <"$BATS_FILE_TMPDIR/headers"
  [ -z "$errors" ] || { printf '%s' "$errors" >&2; return 1; }
}

@test "configure checks every header beyond libc and the compiler, naming its package" {
  [ -f "$SRC/configure" ] || skip "configure is not generated (autoreconf -fi)"
  local h path pkgs p errors=
  [ -s "$BATS_FILE_TMPDIR/headers" ] || header_table >"$BATS_FILE_TMPDIR/headers"
  while IFS=$'\t' read -r h path pkgs; do
    [ "$path" != - ] || continue
    ! printf '%s\n' $pkgs | grep -q -E "$BUILD_ESSENTIAL_HEADERS" || continue
    for p in $pkgs; do
      grep -q -F "<$h> not found: install the Debian package $p" "$SRC/configure" && continue 2
    done
    errors+="<$h> ($pkgs): configure.ac does not check it (STATION_LIBRARY or STATION_HEADERS naming $pkgs)"$'\n'
  done <"$BATS_FILE_TMPDIR/headers"
  # Each pkg-config check names the package that really holds the module's .pc file.
  local var module named pc
  while read -r var module named; do
    pc=$(pkg-config --path "$module" 2>/dev/null) || { errors+="pkg-config module $module: not installed"$'\n'; continue; }
    owner "$pc" | grep -q -x -F -- "$named" ||
      errors+="pkg-config module $module: configure.ac names $named, but $pc is in $(owner "$pc" | paste -s -d ' ')"$'\n'
  done < <(sed -n -E 's/^[[:space:]]*STATION_LIBRARY\(\[([A-Z_]+)\], *\[([^]]+)\], *\[([^]]+)\].*/\1 \2 \3/p' "$SRC/configure.ac")
  if grep -n -E '^[[:space:]]*PKG_CHECK_MODULES\(\[[A-Z]' "$SRC/configure.ac" >&2; then
    errors+="configure.ac: use STATION_LIBRARY, whose failure names the Debian package"$'\n'
  fi
  # Every package a configure message names is one scripts/dev installs.
  for p in $(grep -o 'install the Debian package [a-z0-9.+-]*' "$SRC/configure" | awk '{ print $5 }' | sort -u); do
    in_list "$LISTED" "$p" || errors+="configure names $p, which scripts/dev's PACKAGES does not"$'\n'
  done
  [ -z "$errors" ] || { printf '%s' "$errors" >&2; return 1; }
}

@test "every command the stack, the suites and the benchmarks run comes from a listed package" {
  local f c path errors= functions optional
  local -A from=()
  # The scripts' own functions (sourced helpers define some for the suites).
  functions=$(shell_files | (cd "$SRC" && xargs -r grep -h -o -E '^[[:space:]]*(function[[:space:]]+)?[A-Za-z_][A-Za-z0-9_-]*[[:space:]]*\(\)') |
    sed -E 's/^[[:space:]]*(function[[:space:]]+)?//; s/[[:space:]]*\(\)$//' | sort -u)
  for c in "${STACK_COMMANDS[@]}"; do from[$c]="the stack"; done
  while read -r f; do
    # What a script looks for before using it (command -v) is optional in that script.
    optional=$(grep -o -E 'command -v [a-z][a-z0-9_.+-]*' "$SRC/$f" | awk '{ print $3 }' | sort -u)
    while read -r c; do
      ! grep -q -x -F -- "$c" <<<"$optional" || continue
      [ -n "${from[$c]:-}" ] || from[$c]=$f
    done < <(awk -f "$SRC/tests/install/shell-commands.awk" "$SRC/$f" | sort -u)
  done < <(shell_files)
  know_owners $(for c in "${!from[@]}"; do PATH=$SYSTEM_PATH type -P -- "$c"; done)
  for c in "${!from[@]}"; do
    if [ "${from[$c]}" != "the stack" ]; then
      ! grep -q -x -F -- "$c" <<<"$functions" || continue
      [ "$(bash --norc --noprofile -c "type -t -- '$c'" 2>/dev/null)" != builtin ] || continue
      [ "$(bash --norc --noprofile -c "type -t -- '$c'" 2>/dev/null)" != keyword ] || continue
    fi
    if ! path=$(PATH=$SYSTEM_PATH type -P -- "$c"); then
      [ "${from[$c]}" != "the stack" ] || errors+="$c: not installed (which package provides it? name it in scripts/dev's PACKAGES)"$'\n'
      continue
    fi
    brought_or_error "$c ($path, run by ${from[$c]})" "$path"
  done
  # PostgreSQL's server programs live outside PATH (scripts/dev's pg_bin).
  for c in initdb pg_ctl postgres; do
    path=$(compgen -G "/usr/lib/postgresql/*/bin/$c" | head -n 1) ||
      { errors+="$c: no /usr/lib/postgresql/*/bin/$c"$'\n'; continue; }
    in_list "$BROUGHT" $(owner "$path") || errors+="$c ($path): its package is not brought by scripts/dev's PACKAGES"$'\n'
  done
  [ -z "$errors" ] || { printf '%s' "$errors" | sort >&2; return 1; }
}

@test "every Python module the suites and the benchmarks import comes from a listed package" {
  local name where errors= local_modules modules
  [ -x /usr/bin/python3 ] || { echo "/usr/bin/python3: not installed (Debian package python3)" >&2; return 1; }
  local_modules=$(tree_files -name '*.py' | sed 's|.*/||; s|\.py$||')
  modules=$( { tree_files -name '*.py'; shell_files; } | (cd "$SRC" && xargs -r grep -h -E '^[[:space:]]*(import[[:space:]]+[A-Za-z_]|from[[:space:]]+[A-Za-z_][A-Za-z0-9_.]*[[:space:]]+import[[:space:]])') |
    sed -E 's/^[[:space:]]*//; s/^from[[:space:]]+([A-Za-z0-9_]+).*/\1/; s/^import[[:space:]]+//; s/[[:space:]]+as[[:space:]]+[A-Za-z0-9_]+//g; s/#.*//' |
    tr ',' '\n' | sed -E 's/^[[:space:]]*//; s/[.[:space:]].*//' | grep -E '^[A-Za-z_][A-Za-z0-9_]*$' | sort -u)
  [ -n "$modules" ] || skip "no Python imports in the tree"
  # Debian's python3, isolated from user and /usr/local installs: stdlib, or where a module is.
  while read -r name where; do
    if grep -q -x -F -- "$name" <<<"$local_modules"; then continue; fi
    if [ "$where" = stdlib ]; then
      where=/usr/bin/python3
    elif [ "$where" = - ]; then
      errors+="python module $name: not importable by /usr/bin/python3 (which package provides it? name it in scripts/dev's PACKAGES)"$'\n'
      continue
    fi
    brought_or_error "python module $name ($where)" "$where"
  done < <(/usr/bin/python3 -I - $modules <<'PY'
import importlib.util, sys
for name in sys.argv[1:]:
    if name in sys.stdlib_module_names or name in sys.builtin_module_names:
        print(name, "stdlib")
        continue
    spec = importlib.util.find_spec(name)
    where = "-"
    if spec is not None:
        where = spec.origin if spec.origin not in (None, "namespace") else next(iter(spec.submodule_search_locations or []), "-")
    print(name, where)
PY
  )
  [ -z "$errors" ] || { printf '%s' "$errors" >&2; return 1; }
}
