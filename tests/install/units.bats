#!/usr/bin/env bats
# units.bats — what `make install` hands to systemd: a unit for each long-running program
# (the REST workers, migrate, mqttd, wsd, automationd), each starting a program that make install put in
# place, all accepted by systemd-analyze. Installs into a scratch DESTDIR; the dev stack is
# not touched (bats-tap runs this file only with a stack up, like every suite).

setup_file() {
  export ROOT=$BATS_FILE_TMPDIR/root
  make -s -C "${top_builddir:-$STATION_BUILD_DIR}" install DESTDIR="$ROOT" >/dev/null
  UNITS=$(find "$ROOT" -type d -path '*/lib/systemd/system')
  export UNITS
}

@test "make install puts the units of the workers, migrate, mqttd, wsd and automationd" {
  local unit
  for unit in smart-station-api@.service smart-station-api@.socket smart-station-migrate.service \
    smart-station-mqttd.service smart-station-wsd.service smart-station-automationd.service; do
    [ -f "$UNITS/$unit" ] || { echo "missing: $unit" >&2; return 1; }
  done
}

@test "every ExecStart names a program make install put in place" {
  local unit exec
  for unit in "$UNITS"/*.service; do
    exec=$(sed -n 's/^ExecStart=//p' "$unit" | cut -d' ' -f1)
    [ -n "$exec" ] || { echo "$unit: no ExecStart" >&2; return 1; }
    if [[ $exec == *%i ]]; then # the workers' template: one program per module
      compgen -G "$ROOT${exec%"%i"}*" >/dev/null || { echo "$unit: no $exec installed" >&2; return 1; }
    else
      [ -x "$ROOT$exec" ] || { echo "$unit: $exec not installed" >&2; return 1; }
    fi
  done
}

@test "systemd-analyze verify accepts every unit" {
  command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
  run systemd-analyze verify --man=no "$UNITS"/smart-station-*
  # The programs sit under DESTDIR, not at the paths the units name: that alone may be said.
  local other
  other=$(printf '%s\n' "$output" | grep -v -e 'is not executable: No such file or directory' -e '^$' || true)
  [ -z "$other" ] || { echo "$other" >&2; return 1; }
}
